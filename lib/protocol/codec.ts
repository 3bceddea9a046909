// The one codec for every frame payload: MessagePack (@msgpack/msgpack). Chosen over JSON for
// raw byte strings (no base64) and over cbor-x because cbor-x's install pulls native
// optional packages the registry does not serve for every platform; measured on our messages,
// msgpack encodes a call in ~1.1 µs and decodes it in ~0.8 µs (JSON: ~1.6 µs), and a 1 MiB
// body costs one copy (bench/README.md).
import { Decoder, Encoder } from "@msgpack/msgpack";
import { GvmError } from "../errors.ts";

// Fields left undefined are dropped, not written as nil: optional fields stay absent.
const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
const decoder = new Decoder({ useBigInt64: true });

/**
 * Encodes one value as MessagePack. Byte arrays travel as raw binary.
 *
 * @example
 * ```ts
 * const bytes = packValue({ t: "discover", id: 1 });
 * ```
 */
export function packValue(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/**
 * Decodes one MessagePack value filling all of `bytes`. Byte strings in the result are views
 * of `bytes`. Anything malformed throws `PROTOCOL_ERROR`.
 *
 * @example
 * ```ts
 * unpackValue(packValue([1, 2])); // [1, 2]
 * ```
 */
export function unpackValue(bytes: Uint8Array): unknown {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new GvmError("PROTOCOL_ERROR", `Cannot parse message: ${(error as Error).message}`);
  }
}
