import { GvmError } from "../errors.ts";
import { encodeFrame } from "./frame.ts";

/**
 * One protocol message: a JSON object whose `t` names its type. Requests carry a numeric `id`;
 * the matching reply is `{ t: "reply", id, ok, ... }`.
 */
export interface Message {
  t: string;
  id?: number;
  [field: string]: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes `message` as one length-prefixed frame.
 *
 * @example
 * ```ts
 * const frame = encodeMessage({ t: "discover", id: 1 });
 * ```
 */
export function encodeMessage(message: Message): Uint8Array {
  return encodeFrame(encoder.encode(JSON.stringify(message)));
}

/**
 * Decodes one frame payload. Bad UTF-8, bad JSON or a value that is not an object with a string
 * `t` throws `PROTOCOL_ERROR`.
 *
 * @example
 * ```ts
 * decodeMessage(new TextEncoder().encode('{"t":"discover"}')); // { t: "discover" }
 * ```
 */
export function decodeMessage(payload: Uint8Array): Message {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch (error) {
    throw new GvmError("PROTOCOL_ERROR", `Cannot parse message: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: not a JSON object");
  }
  const message = value as Record<string, unknown>;
  if (typeof message.t !== "string") {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: missing type field 't'");
  }
  if (message.id !== undefined && !Number.isSafeInteger(message.id)) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: 'id' is not an integer");
  }
  return message as Message;
}

/** Reads a string field of a received message, or throws `PROTOCOL_ERROR`. */
export function stringField(message: Message, name: string): string {
  const value = message[name];
  if (typeof value !== "string") {
    throw new GvmError("PROTOCOL_ERROR", `Message '${message.t}' lacks string field '${name}'`);
  }
  return value;
}

/** Reads an optional string field of a received message. */
export function optionalStringField(message: Message, name: string): string | undefined {
  return message[name] === undefined ? undefined : stringField(message, name);
}

/** Reads an integer field of a received message, or throws `PROTOCOL_ERROR`. */
export function integerField(message: Message, name: string): number {
  const value = message[name];
  if (!Number.isSafeInteger(value)) {
    throw new GvmError("PROTOCOL_ERROR", `Message '${message.t}' lacks integer field '${name}'`);
  }
  return value as number;
}

/** Base64 of raw bytes, for module bodies inside JSON messages. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Inverse of {@linkcode bytesToBase64}; bad input throws `PROTOCOL_ERROR`. */
export function base64ToBytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: bad base64 data");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
