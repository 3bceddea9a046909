import assert from "node:assert/strict";
import {
  BodyCollector,
  sendChunks,
  sendFileChunks,
  sendParts,
} from "../../lib/protocol/module_transfer.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { MODULE_CHUNK_BYTES } from "../../lib/limits.ts";
import { assertGvmError } from "../_assert.ts";
import { connectionPair } from "./_socket_pair.ts";

const OPTIONS = { maxBytes: 10, flag: "--max-module-bytes", what: "math from node-1" };

Deno.test("`BodyCollector` joins chunks and checks the announced size and hash", async () => {
  const body = new BodyCollector(OPTIONS);
  body.add({ t: "chunk", re: 1, data: new Uint8Array([1, 2, 3]) });
  body.addBytes(new Uint8Array([4]));
  body.add({ t: "out", re: 1, fd: 1, data: new Uint8Array([9, 9]) }); // Output is not body.
  assert.equal(body.size, 4);
  const sha = await sha256Hex(new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual(body.finish(4, sha), new Uint8Array([1, 2, 3, 4]));
});

Deno.test("`BodyCollector.finish()` returns a lone chunk as it came, and an empty body", () => {
  const chunk = new Uint8Array([7, 8]);
  const one = new BodyCollector(OPTIONS);
  one.addBytes(chunk);
  assert.equal(one.finish(2), chunk);
  assert.deepEqual(new BodyCollector(OPTIONS).finish(0), new Uint8Array());
});

Deno.test("`BodyCollector.finish()` rejects a size other than announced with PROTOCOL_ERROR", () => {
  const body = new BodyCollector(OPTIONS);
  body.addBytes(new Uint8Array(3));
  assertGvmError(
    () => body.finish(4),
    "PROTOCOL_ERROR",
    "math from node-1: 3 bytes arrived, 4 were announced",
  );
});

Deno.test("`BodyCollector.finish()` rejects a body whose hash differs with HASH_MISMATCH", () => {
  const body = new BodyCollector(OPTIONS);
  body.addBytes(new Uint8Array([1]));
  assertGvmError(() => body.finish(1, "0".repeat(64)), "HASH_MISMATCH", "math from node-1");
});

Deno.test("`BodyCollector` stops keeping bytes past its cap and fails with BAD_MODULE", () => {
  const body = new BodyCollector(OPTIONS);
  body.addBytes(new Uint8Array(6));
  body.addBytes(new Uint8Array(6));
  body.addBytes(new Uint8Array(6)); // Ignored once over.
  assert.equal(body.size, 12);
  assertGvmError(
    () => body.finish(12),
    "BAD_MODULE",
    "at least 12 bytes, over the 10-byte module cap (--max-module-bytes)",
  );
  // An announced size past the cap fails even when the bytes so far fit.
  assertGvmError(() => new BodyCollector(OPTIONS).finish(11), "BAD_MODULE", "11 bytes");
});

/** Two connections over one real socket, not yet started. */
async function pair() {
  const p = await connectionPair();
  return { sender: p.client, receiver: p.server, [Symbol.dispose]: () => p[Symbol.dispose]() };
}

/** Bytes with a pattern, so a reordered or dropped chunk shows. */
function pattern(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
}

Deno.test("`sendParts()` sends a body as module.part notices a receiver can rebuild", async () => {
  using p = await pair();
  const bytes = pattern(MODULE_CHUNK_BYTES * 2 + 5);
  const body = new BodyCollector({ ...OPTIONS, maxBytes: bytes.length });
  let parts = 0;
  const done = new Promise<void>((resolve) =>
    p.receiver.start((message) => {
      if (message.t !== "module.part") return;
      assert.equal(message.upload, 4);
      parts++;
      body.addBytes(message.data.slice());
      if (body.size === bytes.length) resolve();
    })
  );
  p.sender.start(() => {});
  await sendParts(p.sender, 4, bytes);
  await done;
  assert.equal(parts, 3);
  assert.deepEqual(body.finish(bytes.length, await sha256Hex(bytes)), bytes);
});

Deno.test("`sendChunks()` sends chunks for request `re`, and says false once closed", async () => {
  using p = await pair();
  const bytes = pattern(MODULE_CHUNK_BYTES + 1);
  const received: Uint8Array[] = [];
  p.receiver.start(() => {});
  // Chunks are stream events of a request: the receiver asks; the sender streams chunks for that request and then replies.
  p.sender.start((message, conn) => {
    if (message.t !== "ping" || message.id === undefined) return;
    void sendChunks(conn, message.id, bytes).then((open) => {
      assert.equal(open, true);
      conn.reply<"ping">(message.id, {});
    });
  });
  const reply = p.receiver.request({ t: "ping" }, {
    onEvent: (event) => {
      if (event.t === "chunk") received.push(event.data.slice());
    },
  });
  await reply;
  assert.deepEqual(received.map((chunk) => chunk.length), [MODULE_CHUNK_BYTES, 1]);
  p.sender.close();
  assert.equal(await sendChunks(p.sender, 1, bytes), false);
});

Deno.test("`sendFileChunks()` streams a file and returns its size; undefined once closed", async () => {
  using p = await pair();
  const path = await Deno.makeTempFile({ prefix: "gvm-transfer-test-" });
  try {
    const bytes = pattern(MODULE_CHUNK_BYTES + 100);
    await Deno.writeFile(path, bytes);
    const body = new BodyCollector({ ...OPTIONS, maxBytes: bytes.length });
    p.sender.start((message, conn) => {
      if (message.t !== "ping" || message.id === undefined) return;
      void (async () => {
        using file = await Deno.open(path);
        assert.equal(await sendFileChunks(conn, message.id!, file), bytes.length);
        conn.reply<"ping">(message.id, {});
      })();
    });
    p.receiver.start(() => {});
    await p.receiver.request({ t: "ping" }, { onEvent: (event) => body.add(event) });
    assert.deepEqual(body.finish(bytes.length, await sha256Hex(bytes)), bytes);
    // An empty file is zero bytes, sent as no chunks.
    await Deno.writeFile(path, new Uint8Array());
    {
      using file = await Deno.open(path);
      assert.equal(await sendFileChunks(p.sender, 1, file), 0);
    }
    p.sender.close();
    using file = await Deno.open(path);
    assert.equal(await sendFileChunks(p.sender, 1, file), undefined);
  } finally {
    await Deno.remove(path);
  }
});
