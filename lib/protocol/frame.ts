import { GvmError } from "../errors.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../limits.ts";

/** Bytes in the length prefix of every frame (unsigned 32-bit, big-endian). */
export const FRAME_HEADER_BYTES = 4;

/**
 * Prefixes `payload` with its length.
 *
 * @example
 * ```ts
 * encodeFrame(new Uint8Array([1, 2])); // Uint8Array [0, 0, 0, 2, 1, 2]
 * ```
 */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  new DataView(frame.buffer).setUint32(0, payload.byteLength);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

// First buffer: a handshake frame fits, and a stranger that sends one costs little; it doubles
// as bigger frames need.
const MIN_BUFFER_BYTES = 4 * 1024;

/** Size of the slabs small payloads are copied into. */
const SLAB_BYTES = 64 * 1024;

/** Options for {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest payload accepted. @default {16 MiB} */
  maxFrameBytes?: number;
}

/**
 * Splits a byte stream into frame payloads. Pure: feed it chunks as they arrive.
 * A zero-length or oversized frame throws, and the caller closes that connection only.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder();
 * const payloads = decoder.push(new Uint8Array([0, 0, 0, 1, 42])); // [Uint8Array [42]]
 * ```
 */
export class FrameDecoder {
  #maxFrameBytes: number;
  #buffer = new Uint8Array(0);
  #view = new DataView(this.#buffer.buffer);
  // Small payloads are copied into a slab and handed out as views of it: a copy is needed (the
  // buffer is reused), an ArrayBuffer per frame is not. Slab bytes handed out are never reused.
  #slab = new Uint8Array(0);
  #slabUsed = 0;
  #start = 0;
  #end = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Raises or lowers the largest payload accepted from now on. */
  set maxFrameBytes(bytes: number) {
    this.#maxFrameBytes = bytes;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  /** Appends `chunk` and returns every payload now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#append(chunk);
    const payloads: Uint8Array[] = [];
    while (this.#end - this.#start >= FRAME_HEADER_BYTES) {
      const length = this.#view.getUint32(this.#start);
      if (length === 0) {
        throw new GvmError("BAD_FRAME", "Cannot parse frame: zero length");
      }
      if (length > this.#maxFrameBytes) {
        throw new GvmError(
          "BAD_FRAME",
          `Cannot parse frame: length ${length} exceeds ${this.#maxFrameBytes}`,
        );
      }
      if (this.#end - this.#start < FRAME_HEADER_BYTES + length) break;
      const from = this.#start + FRAME_HEADER_BYTES;
      payloads.push(this.#copy(from, length));
      this.#start = from + length;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return payloads;
  }

  #copy(from: number, length: number): Uint8Array {
    if (length > SLAB_BYTES / 8) return this.#buffer.slice(from, from + length);
    if (this.#slabUsed + length > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#slabUsed = 0;
    }
    const at = this.#slabUsed;
    this.#slab.set(this.#buffer.subarray(from, from + length), at);
    this.#slabUsed += length;
    return this.#slab.subarray(at, at + length);
  }

  #append(chunk: Uint8Array): void {
    const live = this.#end - this.#start;
    if (this.#end + chunk.byteLength > this.#buffer.byteLength) {
      // Compact first; grow only when the live bytes really need more room.
      const needed = live + chunk.byteLength;
      const next = needed > this.#buffer.byteLength
        ? new Uint8Array(Math.max(needed, this.#buffer.byteLength * 2, MIN_BUFFER_BYTES))
        : this.#buffer;
      next.set(this.#buffer.subarray(this.#start, this.#end), 0);
      this.#buffer = next;
      this.#view = new DataView(next.buffer);
      this.#start = 0;
      this.#end = live;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }
}
