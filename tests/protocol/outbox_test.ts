import assert from "node:assert/strict";
import { FrameDecoder } from "../../lib/protocol/frame.ts";
import { decodeMessage, encodeMessage, packMessage } from "../../lib/protocol/messages.ts";
import { Outbox } from "../../lib/protocol/outbox.ts";

function join(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

Deno.test("`Outbox` puts small frames in one piece, byte for byte as `encodeMessage()`", () => {
  const outbox = new Outbox();
  const messages = [{ t: "hb" }, { t: "discover", id: 1 }, { t: "ping", id: 2 }] as const;
  for (const message of messages) outbox.push(packMessage(message));
  const pieces = outbox.take();
  assert.equal(pieces.length, 1);
  assert.deepEqual(pieces[0], join(messages.map((m) => encodeMessage(m))));
  assert.equal(outbox.queuedBytes, 0);
});

Deno.test("`Outbox` queues a large byte field as its own piece, uncopied", () => {
  const outbox = new Outbox();
  const data = new Uint8Array(100_000).fill(3);
  outbox.push(packMessage({ t: "hb" }));
  outbox.push(packMessage({ t: "chunk", re: 4, data }));
  outbox.push(packMessage({ t: "hb" }));
  const pieces = outbox.take();
  assert.equal(pieces.length, 3);
  assert.equal(pieces[1], data, "the very bytes, not a copy");
  const payloads = new FrameDecoder().push(join(pieces));
  assert.deepEqual(payloads.map((p) => decodeMessage(p).t), ["hb", "chunk", "hb"]);
  assert.deepEqual(decodeMessage(payloads[1]), { t: "chunk", re: 4, data });
});

Deno.test("`Outbox` never overwrites pieces handed out and not yet written", () => {
  const outbox = new Outbox();
  outbox.push(packMessage({ t: "discover", id: 1 }));
  const first = outbox.take();
  const before = first.map((p) => p.slice());
  // More frames while the first batch is "on the wire", enough to grow the buffer.
  for (let id = 2; id < 2_000; id++) outbox.push(packMessage({ t: "discover", id }));
  assert.deepEqual(first, before);
  outbox.written();
  const second = outbox.take();
  const ids = new FrameDecoder().push(join(second)).map((p) => decodeMessage(p).id);
  assert.deepEqual(ids, Array.from({ length: 1_998 }, (_, i) => i + 2));
  outbox.written();
  assert.ok(outbox.isEmpty);
  // The buffer is reused from its start once everything is written.
  outbox.push(packMessage({ t: "hb" }));
  assert.deepEqual(outbox.take(), [encodeMessage({ t: "hb" })]);
});
