// Where a call's standard input comes from: nothing (the prompt), bytes the caller passed (the
// library API), or the process's own stdin (`gvm run`).

/** A call's standard input. */
export interface StdinSource {
  /** Reads into `buffer`; 0 at end of input. Blocks for the real stdin. */
  read(buffer: Uint8Array): number;
  /** Bytes readable without waiting, when known (for poll_oneoff). */
  readonly ready: number | undefined;
  /** Reading it changes the world outside the call (it cannot be read again). */
  readonly isEffect: boolean;
}

/** Empty standard input: every read is at its end. */
export const EMPTY_STDIN: StdinSource = { read: () => 0, ready: 0, isEffect: false };

/**
 * Standard input from bytes held in memory; replayable, so reading it is no effect.
 *
 * @example
 * ```ts
 * const stdin = bytesStdin(new TextEncoder().encode("hello\n"));
 * ```
 */
export function bytesStdin(bytes: Uint8Array): StdinSource {
  let at = 0;
  return {
    read(buffer) {
      const n = Math.min(buffer.length, bytes.length - at);
      buffer.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    get ready() {
      return bytes.length - at;
    },
    isEffect: false,
  };
}

/** The process's own standard input, read synchronously (for `gvm run`). */
export function processStdin(): StdinSource {
  let ended = false;
  return {
    read(buffer) {
      if (ended || buffer.length === 0) return 0;
      const n = Deno.stdin.readSync(buffer);
      if (n === null) {
        ended = true;
        return 0;
      }
      return n;
    },
    ready: undefined,
    isEffect: true,
  };
}
