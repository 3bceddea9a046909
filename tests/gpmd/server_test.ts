import assert from "node:assert/strict";
import { until } from "../_until.ts";
import { GpmdClient } from "../../lib/gpmd/client.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { Connection } from "../../lib/protocol/connection.ts";
import { clientHandshake } from "../../lib/protocol/handshake.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { startGpmd } from "./_gpmd.ts";

const ID = "e".repeat(32);

/** An authenticated raw connection to `port`, for requests GpmdClient never sends. */
async function rawClient(port: number, cookie: string): Promise<Connection> {
  const conn = new Connection(await Deno.connect({ hostname: "127.0.0.1", port }), {
    heartbeatMs: 0,
  });
  await clientHandshake(conn, cookie);
  conn.start(() => {});
  return conn;
}

Deno.test("`GpmdServer` refuses registrations with a bad port, name, id or host", async () => {
  await using gpmd = await startGpmd();
  await using client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  const entry = { name: "node-1", id: ID, host: "127.0.0.1", port: 4000 };
  await assertRejectsGvmError(
    client.register({ ...entry, port: 0 }),
    "PROTOCOL_ERROR",
    "Bad port 0",
  );
  await assertRejectsGvmError(client.register({ ...entry, port: 65536 }), "PROTOCOL_ERROR");
  await assertRejectsGvmError(
    client.register({ ...entry, name: "bad name" }),
    "BAD_ARGS",
    "Node names are 1 to 64 letters",
  );
  await assertRejectsGvmError(
    client.register({ ...entry, id: "not an id!" }),
    "BAD_ARGS",
    "Malformed",
  );
  await assertRejectsGvmError(client.register({ ...entry, host: "a b" }), "BAD_ARGS", "Malformed");
  assert.deepEqual(gpmd.server.status().nodes, []);
});

Deno.test("`GpmdServer` registers a node on 0.0.0.0 or :: at the address it came from", async () => {
  await using gpmd = await startGpmd();
  for (const [name, host] of [["node-any4", "0.0.0.0"], ["node-any6", "::"]]) {
    const client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
    await client.register({ name, id: ID, host, port: 4000 });
    assert.equal((await client.lookup(name)).host, "127.0.0.1");
    client.close();
  }
  assert.match(gpmd.log.join("\n"), /node node-any4 registered at 127\.0\.0\.1:4000/);
});

Deno.test("`GpmdServer` answers what it does not serve with PROTOCOL_ERROR and keeps the connection", async () => {
  await using gpmd = await startGpmd();
  const conn = await rawClient(gpmd.server.port, gpmd.cookie);
  try {
    await assertRejectsGvmError(
      conn.request({ t: "ping" }),
      "PROTOCOL_ERROR",
      "GPMD does not serve 'ping'",
    );
    assert.deepEqual(await conn.request({ t: "discover" }), { names: [] });
  } finally {
    conn.close();
  }
});

Deno.test("`GpmdServer.status()` counts nodes, modules and bodies served", async () => {
  await using gpmd = await startGpmd();
  await using client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  const math = await Deno.readFile(new URL("../fixtures/examples/math.wasm", import.meta.url));
  await client.upload("math", "v1", math);
  await client.fetchModule({ name: "math" });
  await client.register({ name: "node-s", id: ID, host: "127.0.0.1", port: 4000 });
  const status = gpmd.server.status();
  assert.deepEqual(
    [status.pid, status.hostname, status.port, status.nodes, status.modules, status.bodiesServed],
    [Deno.pid, "127.0.0.1", gpmd.server.port, ["node-s"], 1, 1],
  );
  assert.ok(status.uptimeMs >= 0);
  assert.ok(!Number.isNaN(Date.parse(status.startedAt)));
});

Deno.test("`GpmdServer.start()` refuses a home whose store another GPMD holds, with IO_ERROR", async () => {
  await using gpmd = await startGpmd();
  await assertRejectsGvmError(
    GpmdServer.start({ port: 0, home: gpmd.home, cookie: gpmd.cookie }),
    "IO_ERROR",
    `already uses the module store in ${gpmd.home.root}`,
  );
});

Deno.test("`GpmdServer` lists its peers' nodes in discovery, but not in local discovery", async () => {
  await using peer = await startGpmd();
  await using node = await GpmdClient.connect({ address: peer.address, cookie: peer.cookie });
  await node.register({ name: "node-far", id: ID, host: "127.0.0.1", port: 4000 });
  let followed!: () => void;
  const following = new Promise<void>((resolve) => followed = resolve);
  await using gpmd = await startGpmd({
    cookie: peer.cookie,
    peers: [peer.address],
    log: (line) => line.includes("following peer GPMD") && followed(),
  });
  await following;
  await using client = await GpmdClient.connect({ address: gpmd.address, cookie: peer.cookie });
  const label = `node-far@127.0.0.1:${peer.server.port}`;
  // The first answer from the peer arrives just after it is followed.
  await until(
    "the peer's nodes are listed",
    async () => (await client.discover()).includes(label),
    () => client.status(),
  );
  assert.deepEqual(await client.discover({ localOnly: true }), []);
});

Deno.test("`GpmdServer.close()` ends every client connection and resolves `done`", async () => {
  await using gpmd = await startGpmd();
  const client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  gpmd.server.close();
  await gpmd.server.done;
  await client.closed;
  assert.equal(client.isOpen, false);
  assert.match(gpmd.log.join("\n"), /stopping/);
});
