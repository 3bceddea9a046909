import assert from "node:assert/strict";
import {
  BIN32_HEADER_BYTES,
  packFrame,
  packWholeFrame,
  unpackValue,
  writeBin32Header,
} from "../../lib/protocol/codec.ts";
import { assertGvmError } from "../_assert.ts";

Deno.test("`unpackValue()` decodes MessagePack, with 64-bit integers as bigint", () => {
  assert.deepEqual(unpackValue(new Uint8Array([0x92, 0x01, 0x02])), [1, 2]);
  // uint 64 of 2^63.
  const big = new Uint8Array([0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(unpackValue(big), 2n ** 63n);
});

Deno.test("`unpackValue()` rejects truncated, trailing and reserved bytes with PROTOCOL_ERROR", () => {
  assertGvmError(
    () => unpackValue(new Uint8Array([0x92, 0x01])),
    "PROTOCOL_ERROR",
    "Cannot parse message",
  );
  assertGvmError(() => unpackValue(new Uint8Array([0x01, 0x02])), "PROTOCOL_ERROR");
  assertGvmError(() => unpackValue(new Uint8Array([0xc1])), "PROTOCOL_ERROR");
  assertGvmError(() => unpackValue(new Uint8Array()), "PROTOCOL_ERROR");
});

Deno.test("`packFrame()` keeps small byte fields inline and drops undefined fields", () => {
  const { head, tail } = packFrame(
    { t: "x", data: new Uint8Array([1, 2]), gone: undefined },
    "data",
  );
  assert.equal(tail, undefined);
  assert.deepEqual(unpackValue(head.slice()), { t: "x", data: new Uint8Array([1, 2]) });
});

Deno.test("`packFrame()` moves a large byte field last, as a tail after a bin 32 header", () => {
  const data = new Uint8Array(5000).fill(7);
  const { head, tail } = packFrame({ data, t: "chunk", re: 3 }, "data");
  assert.equal(tail, data, "the tail is the caller's bytes, not a copy");
  const whole = new Uint8Array(head.length + BIN32_HEADER_BYTES + data.length);
  whole.set(head);
  writeBin32Header(new DataView(whole.buffer), head.length, data.length);
  whole.set(data, head.length + BIN32_HEADER_BYTES);
  assert.deepEqual(unpackValue(whole), { t: "chunk", re: 3, data });
});

Deno.test("`packWholeFrame()` is a 4-byte big-endian length and the payload", () => {
  for (const size of [3, 5000]) {
    const data = new Uint8Array(size).fill(1);
    const frame = packWholeFrame({ t: "chunk", re: 1, data }, "data");
    const length = new DataView(frame.buffer).getUint32(0);
    assert.equal(length, frame.length - 4);
    assert.deepEqual(unpackValue(frame.subarray(4)), { t: "chunk", re: 1, data });
  }
});

Deno.test("`writeBin32Header()` writes 0xc6 and a big-endian u32", () => {
  const bytes = new Uint8Array(6);
  writeBin32Header(new DataView(bytes.buffer), 1, 0x01020304);
  assert.deepEqual(bytes, new Uint8Array([0, 0xc6, 1, 2, 3, 4]));
});
