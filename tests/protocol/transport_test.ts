import assert from "node:assert/strict";
import { dial, listen, loadTls, type TlsConfig } from "../../lib/protocol/transport.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";

const MAKE_CERTS = new URL("../../scripts/make_test_certs.sh", import.meta.url).pathname;

Deno.test("`loadTls()` is undefined with no paths, and wants all three or none", async () => {
  assert.equal(await loadTls({}), undefined);
  await assertRejectsGvmError(
    loadTls({ cert: "a.crt", key: "a.key" }),
    "BAD_FLAGS",
    "TLS needs all of --tls-cert, --tls-key and --tls-ca",
  );
  await assertRejectsGvmError(loadTls({ ca: "ca.crt" }), "BAD_FLAGS");
});

Deno.test("`loadTls()` names a file it cannot read with BAD_FLAGS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gvm-tls-test-" });
  try {
    await Deno.writeTextFile(`${dir}/a`, "A");
    await Deno.writeTextFile(`${dir}/b`, "B");
    assert.deepEqual(await loadTls({ cert: `${dir}/a`, key: `${dir}/b`, ca: `${dir}/a` }), {
      cert: "A",
      key: "B",
      ca: "A",
    });
    await assertRejectsGvmError(
      loadTls({ cert: `${dir}/a`, key: `${dir}/b`, ca: `${dir}/missing` }),
      "BAD_FLAGS",
      `Cannot read ${dir}/missing`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`listen()` on a port in use fails with IO_ERROR saying so", () => {
  using first = listen({ hostname: "127.0.0.1", port: 0 });
  const port = (first.addr as Deno.NetAddr).port;
  assertGvmError(
    () => listen({ hostname: "127.0.0.1", port }),
    "IO_ERROR",
    `Cannot listen on 127.0.0.1:${port}: already in use`,
  );
});

Deno.test("`dial()` connects over TCP, and a closed port throws ConnectionRefused", async () => {
  using listener = listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  using conn = await dial("127.0.0.1", port);
  using server = await accepted;
  await conn.write(new Uint8Array([42]));
  const buffer = new Uint8Array(1);
  assert.equal(await server.read(buffer), 1);
  assert.equal(buffer[0], 42);
  listener.close();
  await assert.rejects(dial("127.0.0.1", port), Deno.errors.ConnectionRefused);
});

async function makeCerts(dir: string): Promise<TlsConfig> {
  const { success, stderr } = await new Deno.Command("bash", {
    args: [MAKE_CERTS, dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const tls = await loadTls({ cert: `${dir}/gvm.crt`, key: `${dir}/gvm.key`, ca: `${dir}/ca.crt` });
  return tls!;
}

Deno.test("`dial()` over TLS works with the right CA, and fails AUTH_FAILED with another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gvm-tls-test-" });
  try {
    const ours = await makeCerts(`${dir}/ours`);
    const theirs = await makeCerts(`${dir}/theirs`);
    using listener = listen({ hostname: "127.0.0.1", port: 0 }, ours);
    const port = (listener.addr as Deno.NetAddr).port;
    const serve = (async () => {
      // Accept both dials; the second one's handshake fails on the client side.
      for (let i = 0; i < 2; i++) {
        const conn = await listener.accept();
        await (conn as Deno.TlsConn).handshake().catch(() => {});
        const buffer = new Uint8Array(1);
        const n = await conn.read(buffer).catch(() => null);
        if (n === 1) await conn.write(buffer);
        conn.close();
      }
    })();
    {
      using conn = await dial("127.0.0.1", port, ours);
      await conn.write(new Uint8Array([7]));
      const buffer = new Uint8Array(1);
      assert.equal(await conn.read(buffer), 1);
      assert.equal(buffer[0], 7);
    }
    await assertRejectsGvmError(
      dial("127.0.0.1", port, theirs),
      "AUTH_FAILED",
      `TLS handshake with 127.0.0.1:${port} failed`,
    );
    await serve;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
