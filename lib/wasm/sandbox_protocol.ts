import { GvmError } from "../errors.ts";
import { packFrameParts, unpackValue } from "../protocol/codec.ts";
import { decodeParams, decodeValues, encodeParams, encodeValues } from "../protocol/wasm_values.ts";

// Wasm values cross the pipe in the one value encoding every hop uses (exact for i64, NaN,
// ±Infinity and -0); the rest of a header is plain MessagePack, byte arrays as raw binary.
type Header = Record<string, unknown>;
const EMPTY = new Uint8Array(0);

function toWire(header: Header): Header {
  if (header.type === "done" && Array.isArray(header.values)) {
    return { ...header, values: encodeValues(header.values) };
  }
  const entry = header.entry as Header | undefined;
  if (header.type === "run" && entry?.kind === "export" && Array.isArray(entry.params)) {
    return { ...header, entry: { ...entry, params: encodeParams(entry.params) } };
  }
  return header;
}

function fromWire(header: Header): Header {
  if (header.type === "done" && header.values instanceof Uint8Array) {
    return { ...header, values: decodeValues(header.values) };
  }
  const entry = header.entry as Header | undefined;
  if (header.type === "run" && entry?.kind === "export" && entry.params instanceof Uint8Array) {
    return { ...header, entry: { ...entry, params: decodeParams(entry.params) } };
  }
  return header;
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
  const parts = packFrameParts({ h: toWire(header as Header), b: bytes ?? EMPTY }, "b");
  if (parts.length === 1) return parts[0];
  const frame = new Uint8Array(parts[0].length + parts[1].length);
  frame.set(parts[0]);
  frame.set(parts[1], parts[0].length);
  return frame;
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
  return { header: fromWire(value.h as Header) as T, bytes: value.b };
}
