// The one codec for every frame payload: MessagePack (@msgpack/msgpack). Chosen over JSON for
// raw byte strings (no base64: a 512 KiB chunk costs ~0.2 ms, not ~15) and over cbor-x, whose
// install pulls native optional packages the registry does not serve for every platform; small
// control messages cost about what JSON costs (bench/README.md, "The wire").
import { Decoder, Encoder } from "@msgpack/msgpack";
import { GvmError } from "../errors.ts";

// Fields left undefined are dropped, not written as nil: optional fields stay absent.
const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
const decoder = new Decoder({ useBigInt64: true });

/**
 * Decodes one MessagePack value filling all of `bytes`. Byte strings in the result are views
 * of `bytes`. Anything malformed throws `PROTOCOL_ERROR`.
 *
 * @example
 * ```ts
 * unpackValue(new Uint8Array([0x92, 0x01, 0x02])); // [1, 2]
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

/** A frame payload in two parts: its MessagePack head, and large bytes that follow it. */
export interface PackedFrame {
  /** The encoding, or all of it before `tail`; a view of a shared buffer, valid until the next call. */
  head: Uint8Array;
  /** Bytes written by reference after `head` and a bin 32 header (`0xc6`, u32 length). */
  tail?: Uint8Array;
}

/**
 * Encodes `map` for a frame. When its field `field` holds many bytes, they are not copied into
 * the encoding: the field goes last, and the bytes come back as `tail`, to be written after the
 * head and a bin 32 header (a module chunk, a body, a burst of output).
 *
 * @example
 * ```ts
 * const { head, tail } = packFrame({ t: "chunk", re: 1, data: bigBytes }, "data");
 * ```
 */
export function packFrame(map: Record<string, unknown>, field: string): PackedFrame {
  const bytes = map[field];
  if (!(bytes instanceof Uint8Array) || bytes.length < BY_REFERENCE_BYTES) {
    return { head: encoder.encodeSharedRef(map) };
  }
  // Encoded last and empty (bin 8 of length 0: c4 00), then cut off: the caller writes bin 32.
  const { [field]: _, ...rest } = map;
  const packed = encoder.encodeSharedRef({ ...rest, [field]: EMPTY });
  return { head: packed.subarray(0, packed.length - 2), tail: bytes };
}

/** Bytes of a bin 32 header. */
export const BIN32_HEADER_BYTES = 5;

/** Writes a MessagePack bin 32 header for `length` bytes at `at`. */
export function writeBin32Header(view: DataView, at: number, length: number): void {
  view.setUint8(at, 0xc6);
  view.setUint32(at + 1, length);
}

/**
 * Encodes `map` as one whole length-prefixed frame (see {@linkcode packFrame}); large byte
 * fields are copied once.
 *
 * @example
 * ```ts
 * const frame = packWholeFrame({ t: "hb" }, "data");
 * ```
 */
export function packWholeFrame(map: Record<string, unknown>, field: string): Uint8Array {
  const { head, tail } = packFrame(map, field);
  const extra = tail ? BIN32_HEADER_BYTES + tail.length : 0;
  const frame = new Uint8Array(4 + head.length + extra);
  const view = new DataView(frame.buffer);
  view.setUint32(0, head.length + extra);
  frame.set(head, 4);
  if (tail) {
    writeBin32Header(view, 4 + head.length, tail.length);
    frame.set(tail, 4 + head.length + BIN32_HEADER_BYTES);
  }
  return frame;
}
