import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from "../../lib/protocol/frame.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../../lib/limits.ts";

/** Asserts `fn` throws a GvmError BAD_FRAME whose message contains every fragment. */
const assertBadFrame = (fn: () => unknown, ...fragments: string[]) =>
  assertGvmError(fn, "BAD_FRAME", ...fragments);

/** Deterministic PRNG (mulberry32), so "random" chunkings are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("`encodeFrame()` prefixes the payload with its big-endian 32-bit length", () => {
  assert.equal(FRAME_HEADER_BYTES, 4);
  assert.deepEqual(encodeFrame(bytes(1, 2)), bytes(0, 0, 0, 2, 1, 2));
  const frame = encodeFrame(new Uint8Array(0x010203).fill(9));
  assert.deepEqual(frame.subarray(0, 4), bytes(0x00, 0x01, 0x02, 0x03));
  assert.equal(frame.byteLength, 4 + 0x010203);
  assert.equal(frame[4], 9);
  assert.equal(frame[frame.byteLength - 1], 9);
});

Deno.test("`encodeFrame()` copies only the bytes of a subarray view", () => {
  const backing = bytes(7, 7, 1, 2, 3, 7);
  assert.deepEqual(encodeFrame(backing.subarray(2, 5)), bytes(0, 0, 0, 3, 1, 2, 3));
});

Deno.test("`FrameDecoder.push()` round-trips one frame from `encodeFrame()`", () => {
  const decoder = new FrameDecoder();
  const payload = new TextEncoder().encode('{"t":"discover","id":1}');
  const out = decoder.push(encodeFrame(payload));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], payload);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` returns several frames from one chunk in order", () => {
  const decoder = new FrameDecoder();
  const chunk = new Uint8Array([
    ...encodeFrame(bytes(1)),
    ...encodeFrame(bytes(2, 2)),
    ...encodeFrame(bytes(3, 3, 3)),
  ]);
  assert.deepEqual(decoder.push(chunk), [bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` keeps a trailing partial frame for the next push", () => {
  const decoder = new FrameDecoder();
  const second = encodeFrame(bytes(4, 5, 6));
  const chunk = new Uint8Array([...encodeFrame(bytes(1, 2)), ...second.subarray(0, 5)]);
  assert.deepEqual(decoder.push(chunk), [bytes(1, 2)]);
  assert.equal(decoder.pendingBytes, 5);
  assert.deepEqual(decoder.push(second.subarray(5)), [bytes(4, 5, 6)]);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` assembles a frame fed one byte at a time", () => {
  const decoder = new FrameDecoder();
  const payload = new TextEncoder().encode("hello, frame");
  const frame = encodeFrame(payload);
  for (let i = 0; i < frame.byteLength - 1; i++) {
    assert.deepEqual(decoder.push(frame.subarray(i, i + 1)), [], `byte ${i} completed a frame`);
    assert.equal(decoder.pendingBytes, i + 1);
  }
  assert.deepEqual(decoder.push(frame.subarray(frame.byteLength - 1)), [payload]);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` handles a header split across chunks", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(bytes(0, 0)), []);
  assert.equal(decoder.pendingBytes, 2);
  assert.deepEqual(decoder.push(bytes(0)), []);
  assert.equal(decoder.pendingBytes, 3);
  assert.deepEqual(decoder.push(bytes(3, 10, 20)), []);
  assert.equal(decoder.pendingBytes, 6);
  assert.deepEqual(decoder.push(bytes(30)), [bytes(10, 20, 30)]);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` accepts an empty chunk without effect", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(new Uint8Array(0)), []);
  assert.equal(decoder.pendingBytes, 0);
  assert.deepEqual(decoder.push(bytes(0, 0, 0, 1)), []);
  assert.deepEqual(decoder.push(new Uint8Array(0)), []);
  assert.equal(decoder.pendingBytes, 4);
});

Deno.test("`FrameDecoder.push()` returns payloads that later pushes do not overwrite", () => {
  const decoder = new FrameDecoder();
  const [first] = decoder.push(encodeFrame(bytes(1, 2, 3)));
  decoder.push(encodeFrame(bytes(9, 9, 9)));
  decoder.push(bytes(0, 0, 0, 3, 8, 8));
  assert.deepEqual(first, bytes(1, 2, 3));
});

Deno.test("`FrameDecoder.push()` rejects a zero-length frame with BAD_FRAME", () => {
  const decoder = new FrameDecoder();
  assertBadFrame(() => decoder.push(bytes(0, 0, 0, 0)), "zero length");
});

Deno.test("`FrameDecoder.push()` rejects a zero-length frame that follows a good one", () => {
  const decoder = new FrameDecoder();
  assertBadFrame(() => decoder.push(new Uint8Array([...encodeFrame(bytes(1)), 0, 0, 0, 0])));
});

Deno.test("`FrameDecoder.push()` rejects an over-cap length as soon as the header arrives", () => {
  const decoder = new FrameDecoder();
  const length = DEFAULT_MAX_FRAME_BYTES + 1;
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, length);
  // Only the first three header bytes: not yet known, so no error.
  assert.deepEqual(decoder.push(header.subarray(0, 3)), []);
  // The fourth byte completes the header; no body byte has been sent.
  assertBadFrame(
    () => decoder.push(header.subarray(3)),
    String(length),
    String(DEFAULT_MAX_FRAME_BYTES),
  );
});

Deno.test("`FrameDecoder.push()` rejects the largest possible length naming both numbers", () => {
  const decoder = new FrameDecoder();
  assertBadFrame(
    () => decoder.push(bytes(0xff, 0xff, 0xff, 0xff)),
    "length 4294967295 exceeds 16777216",
  );
});

Deno.test("`FrameDecoder` honours a custom `maxFrameBytes`", () => {
  const atCap = new FrameDecoder({ maxFrameBytes: 10 });
  const payload = new Uint8Array(10).fill(5);
  assert.deepEqual(atCap.push(encodeFrame(payload)), [payload]);

  const overCap = new FrameDecoder({ maxFrameBytes: 10 });
  assertBadFrame(() => overCap.push(bytes(0, 0, 0, 11)), "length 11 exceeds 10");
});

Deno.test("`FrameDecoder` with a custom cap accepts frames above the default cap", () => {
  const decoder = new FrameDecoder({ maxFrameBytes: DEFAULT_MAX_FRAME_BYTES + 8 });
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, DEFAULT_MAX_FRAME_BYTES + 8);
  assert.deepEqual(decoder.push(header), []);
  assert.equal(decoder.pendingBytes, 4);
});

Deno.test("`FrameDecoder.pendingBytes` counts bytes not yet part of a whole frame", () => {
  const decoder = new FrameDecoder();
  assert.equal(decoder.pendingBytes, 0);
  const frame = encodeFrame(new Uint8Array(100).fill(1));
  decoder.push(frame.subarray(0, 2));
  assert.equal(decoder.pendingBytes, 2);
  decoder.push(frame.subarray(2, 60));
  assert.equal(decoder.pendingBytes, 60);
  assert.equal(decoder.push(frame.subarray(60)).length, 1);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` reassembles a 1 MiB frame split into seeded random chunks", () => {
  const random = mulberry32(0x5eed);
  const payload = new Uint8Array(1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(random() * 256);
  const tail = bytes(0xaa, 0xbb);
  const stream = new Uint8Array([...encodeFrame(payload), ...encodeFrame(tail)]);

  const decoder = new FrameDecoder();
  const out: Uint8Array[] = [];
  let chunks = 0;
  for (let at = 0; at < stream.length;) {
    const size = 1 + Math.floor(random() * 70_000);
    out.push(...decoder.push(stream.subarray(at, at + size)));
    at += size;
    chunks++;
  }
  assert.ok(chunks > 10, `only ${chunks} chunks`);
  assert.equal(out.length, 2);
  assert.equal(out[0].byteLength, payload.byteLength);
  const mismatch = out[0].findIndex((b, i) => b !== payload[i]);
  assert.equal(mismatch, -1, `first differing byte at ${mismatch}`);
  assert.deepEqual(out[1], tail);
  assert.equal(decoder.pendingBytes, 0);
});

Deno.test("`FrameDecoder.push()` takes a single chunk larger than its buffer", () => {
  const decoder = new FrameDecoder();
  const payload = new Uint8Array(300_000).map((_, i) => i % 251);
  const stream = new Uint8Array([...encodeFrame(payload), ...encodeFrame(bytes(7))]);
  const out = decoder.push(stream);
  assert.equal(out.length, 2);
  assert.equal(out[0].byteLength, payload.byteLength);
  assert.equal(out[0].findIndex((b, i) => b !== payload[i]), -1);
  assert.deepEqual(out[1], bytes(7));
  // And again after the buffer has grown: the next large chunk lands whole too.
  assert.deepEqual(decoder.push(encodeFrame(payload.subarray(1))).map((p) => p.byteLength), [
    299_999,
  ]);
});
