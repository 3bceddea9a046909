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

/** Byte fields at least this large are written by reference, not copied into the encoding. */
const BY_REFERENCE_BYTES = 4096;
const EMPTY = new Uint8Array(0);

/**
 * Encodes `map` as one length-prefixed MessagePack frame, in pieces: when its field `field` holds
 * many bytes, they are not copied but follow as a piece of their own (a module chunk, a body, a
 * burst of output), which the socket writes as they are. The pieces, joined, are the frame.
 *
 * @example
 * ```ts
 * const [head, body] = packFrameParts({ t: "chunk", re: 1, data: bigBytes }, "data");
 * ```
 */
export function packFrameParts(map: Record<string, unknown>, field: string): Uint8Array[] {
  const bytes = map[field];
  if (!(bytes instanceof Uint8Array) || bytes.length < BY_REFERENCE_BYTES) {
    // A view of the encoder's own buffer, copied once into the frame: no second copy.
    return [withLength(encoder.encodeSharedRef(map), 0)];
  }
  // The field goes last, empty (bin 8 of length 0: c4 00); its header becomes bin 32 and the
  // bytes follow by reference.
  const { [field]: _, ...rest } = map;
  const packed = encoder.encodeSharedRef({ ...rest, [field]: EMPTY });
  const head = withLength(packed.subarray(0, packed.length - 2), 5, bytes.length);
  const at = head.length - 5;
  head[at] = 0xc6;
  new DataView(head.buffer).setUint32(at + 1, bytes.length);
  return [head, bytes];
}

// `payload` behind a 4-byte length that also counts `extra` reserved and `after` trailing bytes.
function withLength(payload: Uint8Array, extra: number, after = 0): Uint8Array {
  const out = new Uint8Array(4 + payload.length + extra);
  new DataView(out.buffer).setUint32(0, payload.length + extra + after);
  out.set(payload, 4);
  return out;
}
