/** Options for {@linkcode acceptLoop}. */
export interface AcceptLoopOptions {
  /** Handles each accepted socket; must not throw. */
  onConnection: (socket: Deno.Conn) => void;
  /** Whether the owner is shutting down: errors then end the loop quietly. */
  isClosing: () => boolean;
  /** Where the (rate-limited) note about failed accepts goes. */
  log: (line: string) => void;
  /** Called after each failed accept, to free descriptors (drop strangers). */
  onError?: (error: Error) => void;
  /** First pause after a failed accept, doubled each time in a row. @default {10} */
  minBackoffMs?: number;
  /** Longest pause. @default {1000} */
  maxBackoffMs?: number;
}

/** Shortest gap between two notes about failed accepts. */
const LOG_EVERY_MS = 5_000;

/**
 * Accepts connections until the listener closes. A failed `accept()` (EMFILE, ENFILE,
 * ECONNABORTED ...) is logged, the owner may shed load, and after a pause that grows while the
 * failures last the loop tries again: one brief shortage of file descriptors must not end
 * accepting for good.
 *
 * @example
 * ```ts
 * acceptLoop(listener, { onConnection: serve, isClosing: () => closing, log: console.error });
 * ```
 */
export async function acceptLoop(
  listener: Pick<Deno.Listener, "accept">,
  options: AcceptLoopOptions,
): Promise<void> {
  const minBackoff = options.minBackoffMs ?? 10;
  const maxBackoff = options.maxBackoffMs ?? 1_000;
  let backoff = minBackoff;
  let failures = 0;
  let lastLog = -Infinity;
  while (!options.isClosing()) {
    let socket: Deno.Conn;
    try {
      socket = await listener.accept();
    } catch (error) {
      if (options.isClosing() || error instanceof Deno.errors.BadResource) return;
      failures++;
      const now = performance.now();
      if (now - lastLog >= LOG_EVERY_MS) {
        options.log(
          `accept failed (${failures} time(s) since the last note): ${(error as Error).message}; ` +
            `retrying in ${backoff} ms`,
        );
        failures = 0;
        lastLog = now;
      }
      options.onError?.(error as Error);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(maxBackoff, backoff * 2);
      continue;
    }
    backoff = minBackoff;
    options.onConnection(socket);
  }
}
