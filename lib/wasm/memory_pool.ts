import { WASM_PAGE_BYTES } from "../limits.ts";
/** Largest memory kept for reuse, in 64 KiB pages: zeroing more costs more than a fresh one. */
const MAX_POOLED_PAGES = 16;
/** Memories kept per size; inline calls run one at a time, so a few suffice. */
const PER_SIZE = 4;
/** Distinct sizes kept. */
const MAX_SIZES = 32;

/**
 * Zeroed wasm memories for inline calls, by exact limits. A memory handed back at its initial
 * size is zeroed and kept; a grown one is left to the garbage collector. So a fresh instance sees
 * exactly the zero-filled memory a new one would have, without a new address-space reservation.
 *
 * @example
 * ```ts
 * const memory = pool.take(1, 4096);
 * pool.give(memory, 1, 4096);
 * ```
 */
export class MemoryPool {
  readonly #free = new Map<string, WebAssembly.Memory[]>();

  /** A zeroed memory of `initial` pages that may grow to `maximum`. */
  take(initial: number, maximum: number): WebAssembly.Memory {
    return this.#free.get(`${initial}:${maximum}`)?.pop() ??
      new WebAssembly.Memory({ initial, maximum });
  }

  /** Returns `memory` after a call; it is reused only when it did not grow. */
  give(memory: WebAssembly.Memory, initial: number, maximum: number): void {
    if (initial > MAX_POOLED_PAGES || memory.buffer.byteLength !== initial * WASM_PAGE_BYTES) {
      return;
    }
    const key = `${initial}:${maximum}`;
    let free = this.#free.get(key);
    if (!free) {
      if (this.#free.size >= MAX_SIZES) return;
      free = [];
      this.#free.set(key, free);
    }
    if (free.length >= PER_SIZE) return;
    new Uint8Array(memory.buffer).fill(0);
    free.push(memory);
  }
}
