import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import {
  decodeArgs,
  decodeParams,
  decodeResults,
  decodeValues,
  encodeArgs,
  encodeParams,
  encodeResults,
  encodeValues,
} from "../../lib/protocol/wasm_values.ts";
import type { CallArg, WasmParam } from "../../lib/wasm/values.ts";

/** Same value, telling -0 from 0 and NaN equal to NaN. */
function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === "bigint" && a === b);
}

Deno.test("`encodeResults()` keeps every i64, NaN, infinities and -0 exact", () => {
  const types = ["i64", "i64", "i64", "f64", "f64", "f64", "f64", "f32", "i32", "i32"] as const;
  const values = [
    2n ** 63n - 1n,
    -(2n ** 63n),
    2n ** 53n + 1n,
    NaN,
    Infinity,
    -Infinity,
    -0,
    Math.fround(1.1),
    -(2 ** 31),
    2 ** 31 - 1,
  ];
  const decoded = decodeResults(encodeResults([...types], values));
  assert.deepEqual(decoded.types, [...types]);
  decoded.values.forEach((v, i) => assert.ok(same(v, values[i]), `${i}: ${v} vs ${values[i]}`));
  assert.ok(Object.is(decodeResults(encodeResults(["f32"], [-0])).values[0], -0));
});

Deno.test("`encodeValues()` round-trips untyped values as a sandbox reports them", () => {
  const values = [1, -0, NaN, -Infinity, 2n ** 60n, -1n, 0.5];
  decodeValues(encodeValues(values)).forEach((v, i) => assert.ok(same(v, values[i])));
});

Deno.test("`encodeArgs()` round-trips ints past 2^64, floats and strings", () => {
  const args: CallArg[] = [
    { type: "int", value: 2n ** 70n },
    { type: "int", value: -(2n ** 63n) },
    { type: "int", value: 18446744073709551615n },
    { type: "float", value: -0 },
    { type: "float", value: NaN },
    { type: "float", value: 2 },
    { type: "string", value: "héllo ✓" },
  ];
  const decoded = decodeArgs(encodeArgs(args));
  assert.equal(decoded.length, args.length);
  decoded.forEach((arg, i) => {
    assert.equal(arg.type, args[i].type);
    assert.ok(same(arg.value, args[i].value), `${i}`);
  });
});

Deno.test("`encodeParams()` round-trips typed parameters and string bytes", () => {
  const params: WasmParam[] = [
    { type: "i32", value: -5 },
    { type: "i64", value: 2n ** 62n },
    { type: "f32", value: Math.fround(3.25) },
    { type: "f64", value: -0 },
    { type: "string", bytes: new Uint8Array([104, 105]) },
  ];
  const decoded = decodeParams(encodeParams(params));
  assert.deepEqual(decoded.slice(0, 3), params.slice(0, 3));
  assert.ok(Object.is((decoded[3] as { value: number }).value, -0));
  assert.deepEqual(decoded[4], params[4]);
});

Deno.test("the value decoders reject malformed bytes with PROTOCOL_ERROR", () => {
  const bad = [
    new Uint8Array([9]), // unknown tag
    new Uint8Array([1, 0, 0]), // truncated i32
    new Uint8Array([6, 0, 0, 0, 5, 104]), // string shorter than its length
    new Uint8Array([6, 0, 0, 0, 1, 0xff]), // bad UTF-8
    new Uint8Array([5, 0, 0, 0, 1, 120]), // a big integer that is not digits
  ];
  for (const bytes of bad) assertGvmError(() => decodeArgs(bytes), "PROTOCOL_ERROR");
  // A string is not a result, and a result must be one of the four number types.
  assertGvmError(
    () => decodeResults(encodeArgs([{ type: "string", value: "x" }])),
    "PROTOCOL_ERROR",
  );
});
