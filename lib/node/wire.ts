import { GvmError } from "../errors.ts";
import type { ValType } from "../wasm/signatures.ts";
import type { CallArg, WasmValue } from "../wasm/values.ts";

/** Floats JSON cannot carry as numbers (it prints -0 as 0). */
type WireFloatWord = "nan" | "inf" | "-inf" | "-0";

/** A call argument as JSON carries it: integers as decimal strings, so i64 stays exact. */
export type WireArg =
  | { type: "int"; value: string }
  | { type: "float"; value: number | WireFloatWord }
  | { type: "string"; value: string };

/**
 * Encodes call arguments for the wire.
 *
 * @example
 * ```ts
 * encodeArgs([{ type: "int", value: 2n ** 60n }]); // [{ type: "int", value: "1152921504606846976" }]
 * ```
 */
export function encodeArgs(args: readonly CallArg[]): WireArg[] {
  return args.map((arg): WireArg => {
    if (arg.type === "int") return { type: "int", value: arg.value.toString() };
    if (arg.type === "float") return { type: "float", value: encodeFloat(arg.value) };
    return { type: "string", value: arg.value };
  });
}

/** Decodes and checks arguments from the wire; anything malformed is `PROTOCOL_ERROR`. */
export function decodeArgs(value: unknown): CallArg[] {
  if (!Array.isArray(value)) throw new GvmError("PROTOCOL_ERROR", "Call arguments are not a list");
  return value.map((raw): CallArg => {
    const arg = raw as Record<string, unknown>;
    if (arg?.type === "int" && typeof arg.value === "string" && /^-?\d+$/.test(arg.value)) {
      return { type: "int", value: BigInt(arg.value) };
    }
    if (arg?.type === "float") return { type: "float", value: decodeFloat(arg.value) };
    if (arg?.type === "string" && typeof arg.value === "string") {
      return { type: "string", value: arg.value };
    }
    throw new GvmError("PROTOCOL_ERROR", "Malformed call argument");
  });
}

/** Encodes result values (i64 as strings). */
export function encodeValues(values: readonly WasmValue[]): (string | number)[] {
  return values.map((v) => typeof v === "bigint" ? v.toString() : encodeFloat(v));
}

/** Decodes result values using their declared types. */
export function decodeValues(
  types: unknown,
  values: unknown,
): { types: ValType[]; values: WasmValue[] } {
  if (!Array.isArray(types) || !Array.isArray(values) || types.length !== values.length) {
    throw new GvmError("PROTOCOL_ERROR", "Malformed call result");
  }
  const decoded = values.map((value, i): WasmValue => {
    if (types[i] === "i64") {
      if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
        throw new GvmError("PROTOCOL_ERROR", "Malformed i64 result");
      }
      return BigInt(value);
    }
    if (types[i] === "i32") {
      if (!Number.isSafeInteger(value)) {
        throw new GvmError("PROTOCOL_ERROR", "Malformed i32 result");
      }
      return value as number;
    }
    if (types[i] !== "f32" && types[i] !== "f64") {
      throw new GvmError("PROTOCOL_ERROR", `Unsupported result type ${String(types[i])}`);
    }
    return decodeFloat(value);
  });
  return { types: types as ValType[], values: decoded };
}

function encodeFloat(value: number): number | WireFloatWord {
  if (Object.is(value, -0)) return "-0";
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return value;
}

function decodeFloat(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "nan") return NaN;
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  if (value === "-0") return -0;
  throw new GvmError("PROTOCOL_ERROR", "Malformed number");
}
