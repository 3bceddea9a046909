import assert from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import { assertGvmError } from "../_assert.ts";
import { FrameDecoder } from "../../lib/protocol/frame.ts";
import {
  decodeMessage,
  decodeReply,
  encodeMessage,
  type Message,
  type Notice,
  type Reply,
  type Request,
} from "../../lib/protocol/messages.ts";

const assertProtocolError = (fn: () => unknown, ...fragments: string[]) =>
  assertGvmError(fn, "PROTOCOL_ERROR", ...fragments);

/** Encodes then decodes through the frame decoder, as a connection does. */
function roundTrip(message: Request | Notice | Reply): Message {
  const frames = new FrameDecoder().push(encodeMessage(message));
  assert.equal(frames.length, 1);
  return decodeMessage(frames[0]);
}

const body = new Uint8Array([0, 1, 2, 255]);

const EVERY_MESSAGE: (Request | Notice)[] = [
  { t: "hello", v: 1, nonce: "ab".repeat(16) },
  { t: "challenge", nonce: "cd".repeat(16), proof: "ef".repeat(32) },
  { t: "auth", proof: "01".repeat(32) },
  { t: "welcome" },
  { t: "error", code: "AUTH_FAILED", message: "no" },
  { t: "hb" },
  { t: "cancel", callId: "c-1" },
  { t: "module.part", upload: 3, data: body },
  { t: "out", re: 7, fd: 2, data: body },
  { t: "chunk", re: 7, data: body },
  { t: "join", id: 1, name: "node-1", nodeId: "x", via: "node-1@10.0.0.2" },
  { t: "ping", id: 2 },
  {
    t: "call",
    id: 3,
    callId: "c-1",
    module: "math",
    fn: "add",
    args: body,
    sha256: "0".repeat(64),
    timeoutMs: 1500,
    keep: true,
  },
  { t: "module.need", id: 4, sha256: "0".repeat(64) },
  { t: "register", id: 5, name: "node-1", nodeId: "x", host: "127.0.0.1", port: 4000 },
  { t: "discover", id: 6, local: true },
  { t: "lookup", id: 7, name: "node-1" },
  { t: "status", id: 8 },
  { t: "stop", id: 9 },
  { t: "module.put", id: 10, upload: 3, name: "m", version: "v1", size: 4, sha256: "a" },
  { t: "module.list", id: 11 },
  { t: "module.get", id: 12, name: "m", version: "v1", head: true },
  { t: "module.get", id: 13, sha256: "0".repeat(64) },
];

Deno.test("every message type survives `encodeMessage()` and `decodeMessage()`", () => {
  for (const message of EVERY_MESSAGE) assert.deepEqual(roundTrip(message), message, message.t);
});

Deno.test("byte fields travel raw: a 1 MiB chunk costs a few bytes of framing, not base64", () => {
  const data = new Uint8Array(1024 * 1024).fill(7);
  const frame = encodeMessage({ t: "chunk", re: 1, data });
  assert.ok(frame.length < data.length + 32, `${frame.length} bytes`);
});

Deno.test("replies carry their fields, and `decodeReply()` checks them per request type", () => {
  const ok = roundTrip({ t: "reply", id: 4, ok: true, body: { names: ["a", "b"] } });
  assert.deepEqual(ok, { t: "reply", id: 4, ok: true, body: { names: ["a", "b"] } });
  if (ok.t !== "reply" || !ok.ok) throw new Error("not a success");
  assert.deepEqual(decodeReply("discover", ok.body), { names: ["a", "b"] });
  assertProtocolError(() => decodeReply("discover", { names: [1] }), "discover", "names");
  assertProtocolError(() => decodeReply("lookup", { node: { name: "x" } }), "node");
  assertProtocolError(() => decodeReply("call", { values: "not bytes" }), "values");
  assert.deepEqual(
    decodeReply("call", { values: body, out: [[1, body]] }),
    { values: body, out: [[1, body]] },
  );
  const failed = roundTrip({ t: "reply", id: 5, ok: false, code: "TRAP", message: "boom" });
  assert.deepEqual(failed, { t: "reply", id: 5, ok: false, code: "TRAP", message: "boom" });
});

Deno.test("`decodeMessage()` turns an unknown type or a bad field into `invalid`, to answer", () => {
  assert.deepEqual(decodeMessage(encode({ t: "bogus", id: 1 })), {
    t: "invalid",
    type: "bogus",
    id: 1,
    reason: "Unknown message type 'bogus'",
  });
  const bad = decodeMessage(encode({ t: "register", id: 2, name: "n", nodeId: "x", host: "h" }));
  assert.equal(bad.t, "invalid");
  assert.match((bad as { reason: string }).reason, /port/);
  const wrongType = decodeMessage(encode({ t: "out", re: 1, fd: 3, data: body }));
  assert.equal(wrongType.t, "invalid");
});

Deno.test("`decodeMessage()` rejects what is not a message with PROTOCOL_ERROR", () => {
  const cases: [string, Uint8Array][] = [
    ["not msgpack", new Uint8Array([0xc1])],
    ["truncated", encode({ t: "discover", id: 1 }).subarray(0, 5)],
    ["trailing bytes", new Uint8Array([...encode({ t: "hb" }), 0])],
    ["an array", encode([1, 2, 3])],
    ["a number", encode(42)],
    ["nil", encode(null)],
    ["no t", encode({ id: 1, name: "x" })],
    ["t not a string", encode({ t: 7, id: 1 })],
    ["t not a type name", encode({ t: "\ufffd(", id: 1 })],
    ["id not an integer", encode({ t: "hello", id: 1.5, v: 1 })],
    ["a reply without ok", encode({ t: "reply", id: 1 })],
    [
      "a __proto__ key",
      new Uint8Array([
        0x82,
        0xa1,
        0x74,
        0xa2,
        0x68,
        0x62,
        0xa9,
        ...new TextEncoder().encode("__proto__"),
        0x01,
      ]),
    ],
  ];
  for (const [name, payload] of cases) {
    assertProtocolError(() => decodeMessage(payload), "Cannot parse message");
    void name;
  }
});

Deno.test("`decodeMessage()` accepts a message without an id and a reply with id 0", () => {
  assert.deepEqual(decodeMessage(encode({ t: "hb" })), { t: "hb" });
  assert.deepEqual(decodeMessage(encode({ t: "reply", id: 0, ok: true })), {
    t: "reply",
    id: 0,
    ok: true,
    body: {},
  });
});
