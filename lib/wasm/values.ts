import { GvmError } from "../errors.ts";
import type { FuncSignature, ValType } from "./signatures.ts";

/** An argument as typed at the prompt or carried on the wire. */
export type CallArg =
  | { type: "int"; value: bigint }
  | { type: "float"; value: number }
  | { type: "string"; value: string };

/**
 * An argument converted to the parameter type the export declares. A string fills two i32
 * parameters (pointer, length) once the runner (inline or in a sandbox) has copied its bytes into
 * the module's memory.
 */
export type WasmParam =
  | { type: "i32"; value: number }
  | { type: "i64"; value: bigint }
  | { type: "f32"; value: number }
  | { type: "f64"; value: number }
  | { type: "string"; bytes: Uint8Array };

/** A wasm result value: i64 as bigint, the rest as number. */
export type WasmValue = number | bigint;

const I32_MIN = -(2n ** 31n);
const U32_MAX = 2n ** 32n - 1n;
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;
const encoder = new TextEncoder();

/**
 * Converts `args` to the parameters of export `fn`. Unsigned spellings of i32/i64 values wrap to
 * their two's-complement bits, as wasm sees them. Wrong count, type or range throws `BAD_ARGS`.
 *
 * @example
 * ```ts
 * toWasmParams("add", { params: ["i32", "i32"], results: ["i32"] }, [
 *   { type: "int", value: 1n },
 *   { type: "int", value: 2n },
 * ]); // [{ type: "i32", value: 1 }, { type: "i32", value: 2 }]
 * ```
 */
export function toWasmParams(fn: string, sig: FuncSignature, args: CallArg[]): WasmParam[] {
  const out: WasmParam[] = [];
  let slot = 0;
  for (const [index, arg] of args.entries()) {
    const type = sig.params[slot];
    if (type === undefined) throw countError(fn, sig, args);
    if (arg.type === "string") {
      // `add("x", 2)` against (i32, i32): the string would take both slots, leaving 2 nowhere;
      // "got 2 arguments" for a 2-argument function would only confuse, so name the string.
      const fits = slotsFor(args.slice(index + 1)) === sig.params.length - slot - 2;
      const pair = type === "i32" && sig.params[slot + 1] === "i32";
      if (pair && !fits && args.length !== sig.params.length) throw countError(fn, sig, args);
      if (!pair || !fits) {
        throw new GvmError(
          "BAD_ARGS",
          `Argument ${index + 1} of ${fn} is ${type}, not a string: ${fn} takes ${
            describeParams(sig)
          }, and a string needs two i32 parameters (pointer, length)`,
        );
      }
      out.push({ type: "string", bytes: encoder.encode(arg.value) });
      slot += 2;
      continue;
    }
    out.push(convertNumber(fn, index, type, arg));
    slot += 1;
  }
  if (slot !== sig.params.length) throw countError(fn, sig, args);
  return out;
}

function convertNumber(
  fn: string,
  index: number,
  type: ValType,
  arg: Exclude<CallArg, { type: "string" }>,
): WasmParam {
  const where = `Argument ${index + 1} of ${fn}`;
  switch (type) {
    case "i32":
    case "i64": {
      // `1e2` is the integer 100 however it is spelled; `1.5` is not an integer.
      const exact = arg.type === "int" || Number.isSafeInteger(arg.value);
      if (!exact) {
        throw new GvmError("BAD_ARGS", `${where} is ${type}; ${arg.value} is not an integer`);
      }
      const value = BigInt(arg.value);
      const [min, max] = type === "i32" ? [I32_MIN, U32_MAX] : [I64_MIN, U64_MAX];
      if (value < min || value > max) {
        throw new GvmError("BAD_ARGS", `${where} is ${type}; ${value} is out of range`);
      }
      return type === "i32"
        ? { type, value: Number(BigInt.asIntN(32, value)) }
        : { type, value: BigInt.asIntN(64, value) };
    }
    case "f32": {
      // As i32/i64 do: a finite number too big for f32 is an error, not a silent infinity.
      const value = Math.fround(Number(arg.value));
      if (!Number.isFinite(value) && Number.isFinite(Number(arg.value))) {
        throw new GvmError("BAD_ARGS", `${where} is f32; ${arg.value} is out of range`);
      }
      return { type, value };
    }
    case "f64":
      return { type, value: Number(arg.value) };
    default:
      throw new GvmError("BAD_ARGS", `${where} has type ${type}, which the prompt cannot pass`);
  }
}

// Parameter slots `args` fill: a string takes two (pointer, length).
function slotsFor(args: CallArg[]): number {
  return args.reduce((n, arg) => n + (arg.type === "string" ? 2 : 1), 0);
}

function countError(fn: string, sig: FuncSignature, args: CallArg[]): GvmError {
  const wanted = describeParams(sig);
  return new GvmError(
    "BAD_ARGS",
    `${fn} takes ${wanted}, got ${args.length} argument${args.length === 1 ? "" : "s"}`,
  );
}

/** `2 arguments (i32, i32)` / `no arguments`, for error messages and help. */
export function describeParams(sig: FuncSignature): string {
  const n = sig.params.length;
  if (n === 0) return "no arguments";
  return `${n} argument${n === 1 ? "" : "s"} (${sig.params.join(", ")})`;
}

/**
 * Formats results for the prompt: i32 signed, i64 exact, floats in their shortest form that
 * reads back to the same value, several values separated by ", ".
 *
 * @example
 * ```ts
 * formatResults(["i32", "f32"], [3, Math.fround(0.1)]); // "3, 0.1"
 * ```
 */
export function formatResults(types: readonly ValType[], values: readonly WasmValue[]): string {
  return values.map((value, i) => formatValue(types[i], value)).join(", ");
}

function formatValue(type: ValType | undefined, value: WasmValue): string {
  if (typeof value === "bigint") return value.toString();
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  if (type === "f32") {
    for (let digits = 1; digits <= 9; digits++) {
      const short = Number(value.toPrecision(digits));
      if (Math.fround(short) === value) return String(short);
    }
  }
  return String(value);
}

/** Arguments in the form a module's argv takes them (`math(1, "x")` → `["1", "x"]`). */
export function argvText(args: CallArg[]): string[] {
  return args.map((arg) => String(arg.value));
}
