import { encodeFrame } from "../protocol/frame.ts";
import { base64ToBytes, bytesToBase64 } from "../protocol/messages.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BIGINT = "$bigint";
const BYTES = "$bytes";
const NUMBER = "$number";

// JSON has no NaN, Infinity or -0; wasm floats do.
function replace(_key: string, value: unknown): unknown {
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [NUMBER]: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (typeof value === "bigint") return { [BIGINT]: String(value) };
  if (value instanceof Uint8Array) return { [BYTES]: bytesToBase64(value) };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const tagged = value as Record<string, unknown>;
  if (typeof tagged[BIGINT] === "string") return BigInt(tagged[BIGINT] as string);
  if (typeof tagged[BYTES] === "string") return base64ToBytes(tagged[BYTES] as string);
  if (typeof tagged[NUMBER] === "string") {
    return tagged[NUMBER] === "-0" ? -0 : Number(tagged[NUMBER]);
  }
  return value;
}

/**
 * Encodes one message between a node and its sandbox process: a length-prefixed frame holding
 * a JSON header (bigints, byte arrays, NaN, ±Infinity and -0 kept exact) and, optionally, raw
 * bytes (a module body).
 *
 * @example
 * ```ts
 * const frame = encodeSandboxMessage({ type: "run", callId: 1 }, moduleBytes);
 * ```
 */
export function encodeSandboxMessage(header: object, bytes?: Uint8Array): Uint8Array {
  const json = encoder.encode(JSON.stringify(header, replace));
  const payload = new Uint8Array(4 + json.length + (bytes?.length ?? 0));
  new DataView(payload.buffer).setUint32(0, json.length);
  payload.set(json, 4);
  if (bytes) payload.set(bytes, 4 + json.length);
  return encodeFrame(payload);
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
  const length = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
  const header = JSON.parse(decoder.decode(payload.subarray(4, 4 + length)), revive) as T;
  return { header, bytes: payload.subarray(4 + length) };
}
