import assert from "node:assert/strict";
import { FrameDecoder } from "../../lib/protocol/frame.ts";
import { decodeSandboxMessage, encodeSandboxMessage } from "../../lib/wasm/sandbox_protocol.ts";

function roundTrip(header: object, bytes?: Uint8Array) {
  const [payload] = new FrameDecoder().push(encodeSandboxMessage(header, bytes));
  return decodeSandboxMessage<Record<string, unknown>>(payload);
}

Deno.test("`encodeSandboxMessage()` keeps bigints, bytes and the floats JSON cannot write", () => {
  const header = {
    values: [2n ** 63n - 1n, -(2n ** 63n), NaN, Infinity, -Infinity, -0, 1.5],
    data: new Uint8Array([0, 1, 255]),
  };
  const { header: back } = roundTrip(header);
  const values = back.values as unknown[];
  assert.deepEqual(values.slice(0, 2), [2n ** 63n - 1n, -(2n ** 63n)]);
  assert.ok(Number.isNaN(values[2]));
  assert.deepEqual(values.slice(3, 5), [Infinity, -Infinity]);
  assert.ok(Object.is(values[5], -0));
  assert.equal(values[6], 1.5);
  assert.deepEqual(back.data, new Uint8Array([0, 1, 255]));
});

Deno.test("`encodeSandboxMessage()` carries a module body after the header", () => {
  const body = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  const { header, bytes } = roundTrip({ type: "run", callId: 7 }, body);
  assert.deepEqual(header, { type: "run", callId: 7 });
  assert.deepEqual(bytes, body);
});
