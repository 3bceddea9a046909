import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { FrameDecoder } from "../../lib/protocol/frame.ts";
import {
  base64ToBytes,
  bytesToBase64,
  decodeMessage,
  encodeMessage,
  integerField,
  type Message,
  optionalStringField,
  stringField,
} from "../../lib/protocol/messages.ts";

/** Asserts `fn` throws a GvmError PROTOCOL_ERROR whose message contains every fragment. */
const assertProtocolError = (fn: () => unknown, ...fragments: string[]) =>
  assertGvmError(fn, "PROTOCOL_ERROR", ...fragments);

const utf8 = (text: string) => new TextEncoder().encode(text);

Deno.test("`encodeMessage()` output decodes back to the same message", () => {
  const message: Message = {
    t: "call",
    id: 42,
    module: "math",
    fn: "add",
    args: [{ type: "int", value: "18446744073709551615" }, { type: "string", value: "héllo ✓" }],
    nested: { ok: true, none: null },
  };
  const frames = new FrameDecoder().push(encodeMessage(message));
  assert.equal(frames.length, 1);
  assert.deepEqual(decodeMessage(frames[0]), message);
});

Deno.test("`encodeMessage()` writes the JSON text after a 4-byte length", () => {
  const frame = encodeMessage({ t: "discover", id: 1 });
  const json = '{"t":"discover","id":1}';
  assert.deepEqual(frame.subarray(0, 4), new Uint8Array([0, 0, 0, json.length]));
  assert.equal(new TextDecoder().decode(frame.subarray(4)), json);
});

Deno.test("`decodeMessage()` accepts a message without an id and one with id 0", () => {
  assert.deepEqual(decodeMessage(utf8('{"t":"heartbeat"}')), { t: "heartbeat" });
  assert.deepEqual(decodeMessage(utf8('{"t":"reply","id":0,"ok":true}')), {
    t: "reply",
    id: 0,
    ok: true,
  });
});

Deno.test("`decodeMessage()` rejects bad UTF-8 with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeMessage(new Uint8Array([0xff, 0xfe])), "Cannot parse message");
  // Valid JSON shape, but a lone continuation byte inside the string.
  const bad = new Uint8Array([...utf8('{"t":"'), 0x80, ...utf8('"}')]);
  assertProtocolError(() => decodeMessage(bad), "Cannot parse message");
});

Deno.test("`decodeMessage()` rejects bad JSON with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeMessage(utf8('{"t":')), "Cannot parse message");
  assertProtocolError(() => decodeMessage(utf8("{t: 'x'}")), "Cannot parse message");
  assertProtocolError(() => decodeMessage(utf8("")), "Cannot parse message");
});

Deno.test("`decodeMessage()` rejects a JSON array or other non-object with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeMessage(utf8('[{"t":"x"}]')), "not a JSON object");
  assertProtocolError(() => decodeMessage(utf8("null")), "not a JSON object");
  assertProtocolError(() => decodeMessage(utf8('"discover"')), "not a JSON object");
  assertProtocolError(() => decodeMessage(utf8("42")), "not a JSON object");
});

Deno.test("`decodeMessage()` rejects an object without a string `t` with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeMessage(utf8('{"id":1}')), "missing type field 't'");
  assertProtocolError(() => decodeMessage(utf8('{"t":5}')), "missing type field 't'");
  assertProtocolError(() => decodeMessage(utf8('{"t":null}')), "missing type field 't'");
});

Deno.test("`decodeMessage()` rejects a non-integer id with PROTOCOL_ERROR", () => {
  for (const id of ["1.5", '"1"', "null", "true", "9007199254740992", "[1]"]) {
    assertProtocolError(
      () => decodeMessage(utf8(`{"t":"discover","id":${id}}`)),
      "'id' is not an integer",
    );
  }
});

Deno.test("`stringField()` returns a string field and rejects anything else", () => {
  const message: Message = { t: "lookup", name: "node-1", count: 3, empty: "" };
  assert.equal(stringField(message, "name"), "node-1");
  assert.equal(stringField(message, "empty"), "");
  assertProtocolError(() => stringField(message, "count"), "'lookup'", "string field 'count'");
  assertProtocolError(() => stringField(message, "missing"), "string field 'missing'");
});

Deno.test("`optionalStringField()` returns undefined when absent and rejects non-strings", () => {
  const message: Message = { t: "run", version: "v1.0.0", bad: 7, nul: null };
  assert.equal(optionalStringField(message, "version"), "v1.0.0");
  assert.equal(optionalStringField(message, "absent"), undefined);
  assertProtocolError(() => optionalStringField(message, "bad"), "string field 'bad'");
  assertProtocolError(() => optionalStringField(message, "nul"), "string field 'nul'");
});

Deno.test("`integerField()` returns a safe integer and rejects anything else", () => {
  const message: Message = {
    t: "register",
    port: 4369,
    neg: -3,
    frac: 1.5,
    text: "4369",
    huge: 2 ** 53,
    nan: NaN,
  };
  assert.equal(integerField(message, "port"), 4369);
  assert.equal(integerField(message, "neg"), -3);
  for (const name of ["frac", "text", "huge", "nan", "absent"]) {
    assertProtocolError(() => integerField(message, name), `integer field '${name}'`);
  }
});

Deno.test("`bytesToBase64()` matches known vectors", () => {
  assert.equal(bytesToBase64(new Uint8Array(0)), "");
  assert.equal(bytesToBase64(utf8("Man")), "TWFu");
  assert.equal(bytesToBase64(utf8("Ma")), "TWE=");
  assert.equal(bytesToBase64(utf8("M")), "TQ==");
  assert.equal(bytesToBase64(new Uint8Array([0xfb, 0xff, 0xfe])), "+//+");
  assert.deepEqual(base64ToBytes("+//+"), new Uint8Array([0xfb, 0xff, 0xfe]));
});

Deno.test("`bytesToBase64()` and `base64ToBytes()` round-trip every length from 0 to 300", () => {
  for (let n = 0; n <= 300; n++) {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (i * 37 + n * 11) & 0xff;
    const text = bytesToBase64(data);
    assert.equal(text.length, 4 * Math.ceil(n / 3), `length ${n}`);
    assert.deepEqual(base64ToBytes(text), data, `length ${n}`);
  }
});

Deno.test("`bytesToBase64()` and `base64ToBytes()` round-trip a 200 KiB buffer", () => {
  const data = new Uint8Array(200 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 8)) & 0xff;
  const text = bytesToBase64(data);
  assert.equal(text.length, 4 * Math.ceil(data.length / 3));
  const back = base64ToBytes(text);
  assert.equal(back.length, data.length);
  const mismatch = back.findIndex((b, i) => b !== data[i]);
  assert.equal(mismatch, -1, `first differing byte at ${mismatch}`);
});

Deno.test("`base64ToBytes()` rejects junk with PROTOCOL_ERROR", () => {
  for (const junk of ["not base64!", "a", "@@@@", "TWFu====x", "é"]) {
    assertProtocolError(() => base64ToBytes(junk), "bad base64");
  }
});
