// Access to the instance's linear memory from WASI calls. The memory can grow (and its buffer be
// replaced) during any call into wasm, so views are made afresh for every access.
import { Errno, WasiErrno } from "./errno.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/**
 * The memory of the instance a WASI call came from.
 *
 * @example
 * ```ts
 * const mem = new GuestMemory();
 * mem.bind(instance.exports.memory as WebAssembly.Memory);
 * mem.view().setUint32(ptr, 7, true);
 * ```
 */
export class GuestMemory {
  #memory?: WebAssembly.Memory;
  #view?: DataView;

  /** Aims at `memory` (the instance's exported `memory`; none for modules without one). */
  bind(memory: WebAssembly.Memory | undefined): void {
    this.#memory = memory;
  }

  #buffer(): ArrayBufferLike {
    if (!this.#memory) throw new WasiErrno(Errno.FAULT);
    return this.#memory.buffer;
  }

  /** A view over the whole memory, valid until the next call into wasm. */
  view(): DataView {
    const buffer = this.#buffer();
    // One view per buffer (a grown memory has a new one): a write a line made a view per call
    // a measurable share of printing.
    if (this.#view?.buffer !== buffer) this.#view = new DataView(buffer);
    return this.#view;
  }

  /** `length` bytes at `ptr` (a view, not a copy); FAULT when out of bounds. */
  bytes(ptr: number, length: number): Uint8Array {
    const buffer = this.#buffer();
    if (ptr < 0 || length < 0 || ptr + length > buffer.byteLength) throw new WasiErrno(Errno.FAULT);
    return new Uint8Array(buffer, ptr, length);
  }

  /** The UTF-8 string at `ptr`; ILSEQ when it is not UTF-8. */
  string(ptr: number, length: number): string {
    try {
      return decoder.decode(this.bytes(ptr, length));
    } catch (error) {
      if (error instanceof WasiErrno) throw error;
      throw new WasiErrno(Errno.ILSEQ);
    }
  }

  /** The buffers of an iovec array: `count` (ptr, len) pairs at `iovs`. */
  iovecs(iovs: number, count: number): Uint8Array[] {
    const view = this.view();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = iovs + i * 8;
      if (at + 8 > view.byteLength) throw new WasiErrno(Errno.FAULT);
      out.push(this.bytes(view.getUint32(at, true), view.getUint32(at + 4, true)));
    }
    return out;
  }

  /** Copies the gathered iovecs into one buffer (what a write sends). */
  gather(iovs: number, count: number): Uint8Array {
    // Printing calls this once a line: no array of parts, one allocation for the copy.
    const buffer = this.#buffer();
    const view = this.view();
    let total = 0;
    for (let i = 0; i < count; i++) {
      const at = iovs + i * 8;
      if (at + 8 > view.byteLength) throw new WasiErrno(Errno.FAULT);
      const ptr = view.getUint32(at, true);
      const length = view.getUint32(at + 4, true);
      if (ptr + length > buffer.byteLength) throw new WasiErrno(Errno.FAULT);
      total += length;
    }
    const out = new Uint8Array(total);
    const bytes = new Uint8Array(buffer);
    let written = 0;
    for (let i = 0; i < count; i++) {
      const at = iovs + i * 8;
      const ptr = view.getUint32(at, true);
      const length = view.getUint32(at + 4, true);
      out.set(bytes.subarray(ptr, ptr + length), written);
      written += length;
    }
    return out;
  }

  /** Writes a u32 result at `ptr`. */
  u32(ptr: number, value: number): void {
    this.view().setUint32(ptr, value, true);
  }

  /** Writes a u64 result at `ptr`. */
  u64(ptr: number, value: bigint): void {
    this.view().setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
