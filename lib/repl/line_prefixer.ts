import type { Output } from "./output.ts";
import { MAX_PENDING_LINE_BYTES } from "../limits.ts";

const NEWLINE = 10;

/**
 * Prints a call's output a whole line at a time, each line prefixed (`node-5664: `), so the
 * output of several nodes running at once (`Node.multicall`) interleaves by line, never inside
 * one, and every line says where it came from.
 *
 * @example
 * ```ts
 * const lines = new LinePrefixer(output, "node-5664: ");
 * lines.write(1, new TextEncoder().encode("Adding...\n")); // "node-5664: Adding...\n"
 * lines.flush();
 * ```
 */
export class LinePrefixer {
  readonly #out: Output;
  readonly #prefix: Uint8Array;
  readonly #pending: Record<1 | 2, Uint8Array[]> = { 1: [], 2: [] };
  #pendingBytes: Record<1 | 2, number> = { 1: 0, 2: 0 };
  /** Whether any output came at all. */
  wrote = false;

  constructor(out: Output, prefix: string) {
    this.#out = out;
    this.#prefix = new TextEncoder().encode(prefix);
  }

  /** Takes a chunk of output on stdout (1) or stderr (2). */
  write = (fd: 1 | 2, data: Uint8Array): void => {
    if (data.length === 0) return;
    this.wrote = true;
    let start = 0;
    for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, start)) {
      this.#emit(fd, data.subarray(start, i + 1));
      start = i + 1;
    }
    if (start < data.length) {
      this.#pending[fd].push(data.slice(start));
      this.#pendingBytes[fd] += data.length - start;
      if (this.#pendingBytes[fd] > MAX_PENDING_LINE_BYTES) {
        this.#emit(fd, new Uint8Array([NEWLINE]));
      }
    }
  };

  /** Prints what is left of unterminated last lines. */
  flush(): void {
    for (const fd of [1, 2] as const) {
      if (this.#pendingBytes[fd] > 0) this.#emit(fd, new Uint8Array([NEWLINE]));
    }
  }

  #emit(fd: 1 | 2, tail: Uint8Array): void {
    const parts = [this.#prefix, ...this.#pending[fd], tail];
    this.#pending[fd] = [];
    this.#pendingBytes[fd] = 0;
    const line = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      line.set(part, at);
      at += part.length;
    }
    // Several peers' output, from the network: it cannot wait, so it may be dropped.
    this.#out.stream(fd, line, true);
  }
}
