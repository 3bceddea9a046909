import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import type { FuncSignature, ValType } from "../../lib/wasm/signatures.ts";
import {
  argvText,
  type CallArg,
  describeParams,
  formatResults,
  toWasmParams,
} from "../../lib/wasm/values.ts";

/** Asserts `fn` throws a GvmError BAD_ARGS whose message contains every fragment. */
const assertBadArgs = (fn: () => unknown, ...fragments: string[]) =>
  assertGvmError(fn, "BAD_ARGS", ...fragments);

const sig = (...params: ValType[]): FuncSignature => ({ params, results: [] });
const int = (value: bigint): CallArg => ({ type: "int", value });
const float = (value: number): CallArg => ({ type: "float", value });
const str = (value: string): CallArg => ({ type: "string", value });

Deno.test("`toWasmParams()` accepts the i32 range from -2^31 to 2^32-1", () => {
  assert.deepEqual(toWasmParams("f", sig("i32"), [int(-(2n ** 31n))]), [
    { type: "i32", value: -2147483648 },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i32"), [int(2n ** 31n - 1n)]), [
    { type: "i32", value: 2147483647 },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i32"), [int(0n)]), [{ type: "i32", value: 0 }]);
});

Deno.test("`toWasmParams()` wraps unsigned i32 spellings to their signed bits", () => {
  assert.deepEqual(toWasmParams("f", sig("i32"), [int(2n ** 32n - 1n)]), [
    { type: "i32", value: -1 },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i32"), [int(2n ** 31n)]), [
    { type: "i32", value: -2147483648 },
  ]);
});

Deno.test("`toWasmParams()` rejects i32 values outside -2^31..2^32-1 with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("f", sig("i32"), [int(2n ** 32n)]),
    "Argument 1 of f is i32",
    "4294967296 is out of range",
  );
  assertBadArgs(
    () => toWasmParams("f", sig("i32"), [int(-(2n ** 31n) - 1n)]),
    "-2147483649 is out of range",
  );
});

Deno.test("`toWasmParams()` keeps i64 values exact at the edges", () => {
  const cases: [bigint, bigint][] = [
    [-(2n ** 63n), -9223372036854775808n],
    [2n ** 63n - 1n, 9223372036854775807n],
    [2n ** 53n + 1n, 9007199254740993n],
    [-(2n ** 53n) - 1n, -9007199254740993n],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(toWasmParams("f", sig("i64"), [int(input)]), [
      { type: "i64", value: expected },
    ]);
  }
});

Deno.test("`toWasmParams()` wraps unsigned i64 spellings to their signed bits", () => {
  assert.deepEqual(toWasmParams("f", sig("i64"), [int(2n ** 64n - 1n)]), [
    { type: "i64", value: -1n },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i64"), [int(2n ** 63n)]), [
    { type: "i64", value: -(2n ** 63n) },
  ]);
});

Deno.test("`toWasmParams()` rejects i64 values outside -2^63..2^64-1 with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("f", sig("i64"), [int(2n ** 64n)]),
    "is i64",
    "18446744073709551616 is out of range",
  );
  assertBadArgs(
    () => toWasmParams("f", sig("i64"), [int(-(2n ** 63n) - 1n)]),
    "-9223372036854775809 is out of range",
  );
});

Deno.test("`toWasmParams()` rejects floats for integer params with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("add", sig("i32", "i32"), [int(1n), float(2.5)]),
    "Argument 2 of add is i32",
    "2.5 is not an integer",
  );
  assertBadArgs(() => toWasmParams("f", sig("i32"), [float(NaN)]), "not an integer");
  assertBadArgs(() => toWasmParams("f", sig("i64"), [float(2 ** 60)]), "not an integer");
});

Deno.test("`toWasmParams()` takes a whole number spelled as a float (1e2) for integer params", () => {
  assert.deepEqual(toWasmParams("add", sig("i32", "i64"), [float(1e2), float(-3)]), [
    { type: "i32", value: 100 },
    { type: "i64", value: -3n },
  ]);
  assertBadArgs(() => toWasmParams("f", sig("i32"), [float(1e10)]), "10000000000 is out of range");
});

Deno.test("`toWasmParams()` rejects f32 arguments beyond its range, as it does for i32", () => {
  assertBadArgs(
    () => toWasmParams("f", sig("f32"), [float(1e39)]),
    "Argument 1 of f is f32",
    "out",
  );
  assertBadArgs(() => toWasmParams("f", sig("f32"), [int(10n ** 40n)]), "out of range");
  // Infinity asked for by name is still infinity.
  assert.deepEqual(toWasmParams("f", sig("f32"), [float(-Infinity)]), [
    { type: "f32", value: -Infinity },
  ]);
});

Deno.test("`toWasmParams()` names the string, not the count, when a string is where an i32 is", () => {
  assertBadArgs(
    () => toWasmParams("add", sig("i32", "i32"), [str("x"), int(2n)]),
    "Argument 1 of add is i32, not a string",
    "add takes 2 arguments (i32, i32)",
  );
});

Deno.test("`toWasmParams()` accepts ints for f32 and f64 params", () => {
  assert.deepEqual(toWasmParams("f", sig("f32", "f64"), [int(3n), int(-7n)]), [
    { type: "f32", value: 3 },
    { type: "f64", value: -7 },
  ]);
  // Beyond 2^53 the int rounds to the nearest double, and f32 rounds further.
  assert.deepEqual(toWasmParams("f", sig("f64"), [int(2n ** 53n + 1n)]), [
    { type: "f64", value: 9007199254740992 },
  ]);
  assert.deepEqual(toWasmParams("f", sig("f32"), [int(16777217n)]), [
    { type: "f32", value: 16777216 },
  ]);
});

Deno.test("`toWasmParams()` rounds f32 params to single precision", () => {
  assert.deepEqual(toWasmParams("f", sig("f32"), [float(0.1)]), [
    { type: "f32", value: Math.fround(0.1) },
  ]);
  // Math.fround(0.1), spelled out, so the test fails if the rounding is skipped.
  assert.deepEqual(toWasmParams("f", sig("f32"), [float(0.1)]), [
    { type: "f32", value: 0.10000000149011612 },
  ]);
  assert.deepEqual(toWasmParams("f", sig("f64"), [float(0.1)]), [{ type: "f64", value: 0.1 }]);
  assert.deepEqual(toWasmParams("f", sig("f32", "f64"), [float(Infinity), float(NaN)]), [
    { type: "f32", value: Infinity },
    { type: "f64", value: NaN },
  ]);
});

Deno.test("`toWasmParams()` passes a string as UTF-8 bytes filling two i32 params", () => {
  assert.deepEqual(toWasmParams("greet", sig("i32", "i32"), [str("é")]), [
    { type: "string", bytes: new Uint8Array([0xc3, 0xa9]) },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i32", "i32", "i64"), [str("hi"), int(5n)]), [
    { type: "string", bytes: new Uint8Array([0x68, 0x69]) },
    { type: "i64", value: 5n },
  ]);
  assert.deepEqual(toWasmParams("f", sig("i32", "i32"), [str("")]), [
    { type: "string", bytes: new Uint8Array(0) },
  ]);
});

Deno.test("`toWasmParams()` rejects a string against a single i32 with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("f", sig("i32"), [str("x")]),
    "Argument 1 of f is i32",
    "a string needs two i32 parameters",
  );
  assertBadArgs(
    () => toWasmParams("f", sig("i32", "f64"), [str("x")]),
    "a string needs two i32 parameters",
  );
});

Deno.test("`toWasmParams()` rejects a string against an f64 with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("f", sig("f64", "i32", "i32"), [str("x")]),
    "Argument 1 of f is f64",
    "a string needs two i32",
  );
});

Deno.test("`toWasmParams()` rejects too few arguments naming the count and types", () => {
  assertBadArgs(
    () => toWasmParams("add", sig("i32", "i32"), [int(1n)]),
    "add takes 2 arguments (i32, i32), got 1 argument",
  );
  assertBadArgs(
    () => toWasmParams("f", sig("i32", "i32", "f64"), [str("ab")]),
    "f takes 3 arguments (i32, i32, f64), got 1 argument",
  );
  assertBadArgs(
    () => toWasmParams("one", sig("f64"), []),
    "one takes 1 argument (f64), got 0 arguments",
  );
});

Deno.test("`toWasmParams()` rejects too many arguments naming the count and types", () => {
  assertBadArgs(
    () => toWasmParams("add", sig("i32", "i64"), [int(1n), int(2n), int(3n)]),
    "add takes 2 arguments (i32, i64), got 3 arguments",
  );
  assertBadArgs(
    () => toWasmParams("noop", sig(), [str("x")]),
    "noop takes no arguments, got 1 argument",
  );
});

Deno.test("`toWasmParams()` rejects params the prompt cannot pass with BAD_ARGS", () => {
  assertBadArgs(
    () => toWasmParams("vec", sig("v128"), [int(1n)]),
    "Argument 1 of vec has type v128",
  );
  assertBadArgs(() => toWasmParams("ref", sig("externref"), [float(1)]), "externref");
});

Deno.test("`toWasmParams()` returns an empty list for a no-argument export", () => {
  assert.deepEqual(toWasmParams("main", sig(), []), []);
});

Deno.test("`describeParams()` names the count and the types", () => {
  assert.equal(describeParams(sig()), "no arguments");
  assert.equal(describeParams(sig("f64")), "1 argument (f64)");
  assert.equal(describeParams(sig("i32", "i64", "f32")), "3 arguments (i32, i64, f32)");
});

Deno.test("`formatResults()` prints i64 bigints exactly", () => {
  assert.equal(formatResults(["i64"], [2n ** 63n - 1n]), "9223372036854775807");
  assert.equal(formatResults(["i64"], [-(2n ** 63n)]), "-9223372036854775808");
  assert.equal(formatResults(["i64"], [2n ** 53n + 1n]), "9007199254740993");
});

Deno.test("`formatResults()` prints i32 values as signed decimals", () => {
  assert.equal(formatResults(["i32"], [-1]), "-1");
  assert.equal(formatResults(["i32"], [2147483647]), "2147483647");
});

Deno.test("`formatResults()` prints f32 values in their shortest round-tripping form", () => {
  assert.equal(formatResults(["f32"], [Math.fround(0.30000001192092896)]), "0.3");
  assert.equal(formatResults(["f32"], [Math.fround(0.1)]), "0.1");
  assert.equal(formatResults(["f32"], [Math.fround(1 / 3)]), "0.33333334");
  assert.equal(formatResults(["f32"], [Math.fround(3.4028234663852886e38)]), "3.4028235e+38");
  assert.equal(formatResults(["f32"], [1.5]), "1.5");
  assert.equal(formatResults(["f32"], [0]), "0");
});

Deno.test("`formatResults()` prints f64 values as JavaScript does", () => {
  assert.equal(formatResults(["f64"], [0.1 + 0.2]), "0.30000000000000004");
  assert.equal(formatResults(["f64"], [Math.fround(0.1)]), "0.10000000149011612");
  assert.equal(formatResults(["f64"], [1e21]), "1e+21");
  assert.equal(formatResults(["f64"], [-2.5]), "-2.5");
});

Deno.test("`formatResults()` prints nan, inf and -inf", () => {
  assert.equal(formatResults(["f64", "f64", "f64"], [NaN, Infinity, -Infinity]), "nan, inf, -inf");
  assert.equal(formatResults(["f32", "f32", "f32"], [NaN, Infinity, -Infinity]), "nan, inf, -inf");
});

Deno.test('`formatResults()` joins several values with ", "', () => {
  assert.equal(
    formatResults(["i32", "f32", "i64", "f64"], [3, Math.fround(0.1), 7n, 0.25]),
    "3, 0.1, 7, 0.25",
  );
});

Deno.test("`formatResults()` prints no results as the empty string", () => {
  assert.equal(formatResults([], []), "");
});

Deno.test("`argvText()` turns each argument into its text", () => {
  assert.deepEqual(argvText([int(1n), str("x y"), float(1.5), int(2n ** 64n - 1n)]), [
    "1",
    "x y",
    "1.5",
    "18446744073709551615",
  ]);
  assert.deepEqual(argvText([]), []);
});
