import { GvmError } from "../errors.ts";
import { packWholeFrame, unpackValue } from "../protocol/codec.ts";
import { decodeParams, decodeValues, encodeParams, encodeValues } from "../protocol/wasm_values.ts";

// Wasm values cross the pipe in the one value encoding every hop uses (exact for i64, NaN,
// ±Infinity and -0); the rest of a header is plain MessagePack, byte arrays as raw binary.
type Header = Record<string, unknown>;
const EMPTY = new Uint8Array(0);

// Tags for the two shapes of wasm values a header holds: a list of values (results), and a
// list of typed parameters ({ type, value } or a string's { type: "string", bytes }).
const VALUES = "$values";
const PARAMS = "$params";

const isValue = (v: unknown) => typeof v === "number" || typeof v === "bigint";
const isParam = (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as Header).type === "string" &&
  (isValue((v as Header).value) || (v as Header).bytes instanceof Uint8Array);

// Walks a (small) header: number lists and parameter lists go in the value encoding.
function toWire(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isValue)) return { [VALUES]: encodeValues(value) };
    if (value.length > 0 && value.every(isParam)) return { [PARAMS]: encodeParams(value) };
    return value.map(toWire);
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  const out: Header = {};
  for (const [key, field] of Object.entries(value)) out[key] = toWire(field);
  return out;
}

function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  const tagged = value as Header;
  if (tagged[VALUES] instanceof Uint8Array) return decodeValues(tagged[VALUES]);
  if (tagged[PARAMS] instanceof Uint8Array) return decodeParams(tagged[PARAMS]);
  const out: Header = {};
  for (const [key, field] of Object.entries(tagged)) out[key] = fromWire(field);
  return out;
}

/**
 * Encodes one message between a node and its sandbox process: a length-prefixed frame holding
 * a MessagePack map of a header (`h`) and, optionally, raw bytes (`b`, a module body, copied
 * once).
 *
 * @example
 * ```ts
 * const frame = encodeSandboxMessage({ type: "run", callId: 1 }, moduleBytes);
 * ```
 */
export function encodeSandboxMessage(header: object, bytes?: Uint8Array): Uint8Array {
  return packWholeFrame({ h: toWire(header), b: bytes ?? EMPTY }, "b");
}

/**
 * Decodes a payload made by {@linkcode encodeSandboxMessage} (after the frame decoder).
 *
 * @example
 * ```ts
 * const { header, bytes } = decodeSandboxMessage(payload);
 * ```
 */
export function decodeSandboxMessage<T>(payload: Uint8Array): { header: T; bytes: Uint8Array } {
  const value = unpackValue(payload) as { h?: unknown; b?: unknown } | null;
  if (
    typeof value !== "object" || value === null || typeof value.h !== "object" ||
    value.h === null || !(value.b instanceof Uint8Array)
  ) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse sandbox message");
  }
  return { header: fromWire(value.h) as T, bytes: value.b };
}
