import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { decodeArgs, decodeValues, encodeArgs, encodeValues } from "../../lib/node/wire.ts";
import type { CallArg } from "../../lib/wasm/values.ts";

/** Asserts `fn` throws a GvmError PROTOCOL_ERROR whose message contains every fragment. */
const assertProtocolError = (fn: () => unknown, ...fragments: string[]) =>
  assertGvmError(fn, "PROTOCOL_ERROR", ...fragments);

/** What the receiving side sees: the value after a trip through JSON text. */
const overJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

Deno.test("`encodeArgs()` writes ints as decimal strings and odd floats as names", () => {
  assert.deepEqual(
    encodeArgs([
      { type: "int", value: 2n ** 60n },
      { type: "int", value: -5n },
      { type: "float", value: 1.5 },
      { type: "float", value: NaN },
      { type: "float", value: Infinity },
      { type: "float", value: -Infinity },
      { type: "string", value: "x" },
    ]),
    [
      { type: "int", value: "1152921504606846976" },
      { type: "int", value: "-5" },
      { type: "float", value: 1.5 },
      { type: "float", value: "nan" },
      { type: "float", value: "inf" },
      { type: "float", value: "-inf" },
      { type: "string", value: "x" },
    ],
  );
});

Deno.test("`decodeArgs()` restores `encodeArgs()` output sent through JSON exactly", () => {
  const args: CallArg[] = [
    { type: "int", value: 2n ** 53n + 1n },
    { type: "int", value: 2n ** 64n - 1n },
    { type: "int", value: -(2n ** 63n) },
    { type: "int", value: 0n },
    { type: "float", value: NaN },
    { type: "float", value: Infinity },
    { type: "float", value: -Infinity },
    { type: "float", value: 0.1 },
    { type: "float", value: -1e300 },
    { type: "string", value: 'héllo "✓"\n' },
    { type: "string", value: "" },
  ];
  const back = decodeArgs(overJson(encodeArgs(args)));
  assert.deepEqual(back, args);
  // deepEqual treats NaN as equal to NaN; check the exact values explicitly too.
  assert.equal(back[0].value, 9007199254740993n);
  assert.ok(Number.isNaN(back[4].value));
  assert.equal(back[5].value, Infinity);
  assert.equal(back[6].value, -Infinity);
});

Deno.test("`decodeArgs()` accepts an empty list", () => {
  assert.deepEqual(decodeArgs([]), []);
});

Deno.test("`decodeArgs()` rejects a value that is not an array with PROTOCOL_ERROR", () => {
  for (const value of [undefined, null, {}, "[]", 3, { length: 0 }]) {
    assertProtocolError(() => decodeArgs(value), "not a list");
  }
});

Deno.test("`decodeArgs()` rejects an int whose value is not a decimal string", () => {
  for (const value of ["12a", "1.5", "", " 1", "0x10", "+1", "1e3", 12, null]) {
    assertProtocolError(
      () => decodeArgs([{ type: "int", value }]),
      "Malformed call argument",
    );
  }
});

Deno.test("`decodeArgs()` rejects an unknown type or a missing shape", () => {
  assertProtocolError(() => decodeArgs([{ type: "bool", value: "true" }]), "Malformed");
  assertProtocolError(() => decodeArgs([{ value: "1" }]), "Malformed");
  assertProtocolError(() => decodeArgs([null]), "Malformed");
  assertProtocolError(() => decodeArgs(["int"]), "Malformed");
  assertProtocolError(() => decodeArgs([{ type: "string", value: 5 }]), "Malformed");
});

Deno.test("`decodeArgs()` rejects a float that is neither a number nor nan/inf/-inf", () => {
  for (const value of ["NaN", "Infinity", "1.5", null, undefined]) {
    assertProtocolError(() => decodeArgs([{ type: "float", value }]), "Malformed number");
  }
});

Deno.test("`decodeArgs()` rejects a list with one bad argument among good ones", () => {
  assertProtocolError(
    () => decodeArgs([{ type: "int", value: "1" }, { type: "int", value: "x" }]),
    "Malformed call argument",
  );
});

Deno.test("`encodeValues()` writes bigints as strings and odd floats as names", () => {
  assert.deepEqual(
    encodeValues([2n ** 63n - 1n, -1n, 3, 0.5, NaN, Infinity, -Infinity]),
    ["9223372036854775807", "-1", 3, 0.5, "nan", "inf", "-inf"],
  );
});

Deno.test("`decodeValues()` uses the types: i64 strings become bigints", () => {
  const types = ["i32", "i64", "f32", "f64", "i64"];
  const sent = overJson(encodeValues([-7, 2n ** 53n + 1n, 1.5, NaN, -(2n ** 63n)]));
  const { types: gotTypes, values } = decodeValues(overJson(types), sent);
  assert.deepEqual(gotTypes, types);
  assert.deepEqual(values, [-7, 9007199254740993n, 1.5, NaN, -9223372036854775808n]);
  assert.equal(typeof values[1], "bigint");
  assert.equal(typeof values[0], "number");
});

Deno.test("`decodeValues()` accepts empty results", () => {
  assert.deepEqual(decodeValues([], []), { types: [], values: [] });
});

Deno.test("`decodeValues()` rejects a length mismatch with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeValues(["i32", "i32"], [1]), "Malformed call result");
  assertProtocolError(() => decodeValues(["i32"], [1, 2]), "Malformed call result");
});

Deno.test("`decodeValues()` rejects non-array types or values with PROTOCOL_ERROR", () => {
  assertProtocolError(() => decodeValues("i32", [1]), "Malformed call result");
  assertProtocolError(() => decodeValues(["i32"], 1), "Malformed call result");
  assertProtocolError(() => decodeValues(undefined, undefined), "Malformed call result");
});

Deno.test("`decodeValues()` rejects an i64 that is not a decimal string", () => {
  for (const value of [5, "5.0", "abc", "", null]) {
    assertProtocolError(() => decodeValues(["i64"], [value]), "Malformed i64 result");
  }
});

Deno.test("`decodeValues()` rejects a float result that is not a number or name", () => {
  assertProtocolError(() => decodeValues(["f64"], ["1.5"]), "Malformed number");
  assertProtocolError(() => decodeValues(["i32"], [null]), "Malformed i32 result");
});

Deno.test("`encodeValues()` keeps -0 across JSON", () => {
  const wire = JSON.parse(JSON.stringify(encodeValues([-0])));
  assert.ok(Object.is(decodeValues(["f64"], wire).values[0], -0));
});

Deno.test("`decodeValues()` rejects unknown types and non-integer i32", () => {
  assertProtocolError(() => decodeValues(["banana"], [1]), "Unsupported result type");
  assertProtocolError(() => decodeValues(["i32"], [1.5]), "Malformed i32 result");
});
