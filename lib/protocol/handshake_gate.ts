import { DEFAULT_HANDSHAKE_LIMIT } from "../limits.ts";
/** Options for {@linkcode HandshakeGate}. */
export interface HandshakeGateOptions {
  /** Handshakes in progress at once; past it the oldest is dropped. @default {256} */
  limit?: number;
  /** Where the (rate-limited) note about dropped connections goes. @default {() => {}} */
  log?: (line: string) => void;
}

/** Shortest gap between two notes about dropped connections, so a flood cannot flood the log. */
const LOG_EVERY_MS = 1_000;

/**
 * Bounds connections that have not yet proved the cookie. A stranger costs a socket, a file
 * descriptor and a little memory until its handshake times out; without a bound a flood of
 * silent connections exhausts descriptors and then nobody, honest or not, gets in. Past the
 * limit the oldest stranger is dropped: an honest client finishes in milliseconds, so the one
 * that has waited longest is the one least likely to be honest.
 *
 * @example
 * ```ts
 * const gate = new HandshakeGate({ log: console.error });
 * gate.enter(socket);
 * try { await handshake(socket); } finally { gate.leave(socket); }
 * ```
 */
export class HandshakeGate {
  #limit: number;
  readonly #log: (line: string) => void;
  // Insertion order is age: the first entry is the oldest.
  readonly #pending = new Set<Deno.Conn>();
  readonly #shed = new WeakSet<Deno.Conn>();
  #unreported = 0;
  #lastLog = -Infinity;

  constructor(options: HandshakeGateOptions = {}) {
    this.#limit = Math.max(1, options.limit ?? DEFAULT_HANDSHAKE_LIMIT);
    this.#log = options.log ?? (() => {});
  }

  /** The most handshakes allowed in progress at once. */
  get limit(): number {
    return this.#limit;
  }

  /** Handshakes now in progress. */
  get size(): number {
    return this.#pending.size;
  }

  /** Counts `socket` as handshaking; drops the oldest ones if that makes too many. */
  enter(socket: Deno.Conn): void {
    this.#pending.add(socket);
    if (this.#pending.size > this.#limit) this.shedOldest(this.#pending.size - this.#limit);
  }

  /** `socket` finished its handshake, or failed it. */
  leave(socket: Deno.Conn): void {
    this.#pending.delete(socket);
  }

  /** Whether `socket` was closed by this gate (its handshake failing is no news). */
  wasShed(socket: Deno.Conn): boolean {
    return this.#shed.has(socket);
  }

  /**
   * Called when accept() fails (most often: out of file descriptors). Drops the older half of
   * the handshakes in progress to free descriptors at once, and lowers the cap to what is left,
   * so the process stays clear of a limit it has now found (no portable API tells it sooner).
   */
  tighten(): void {
    const keep = Math.floor(this.#pending.size / 2);
    this.#limit = Math.max(MIN_HANDSHAKE_LIMIT, Math.min(this.#limit, keep));
    this.shedOldest(this.#pending.size - keep);
  }

  /** Closes the `count` oldest handshakes in progress; returns how many it closed. */
  shedOldest(count: number): number {
    let closed = 0;
    for (const socket of this.#pending) {
      if (closed >= count) break;
      this.#pending.delete(socket);
      this.#shed.add(socket);
      try {
        socket.close();
      } catch {
        // Closed already by its own side.
      }
      closed++;
    }
    this.#unreported += closed;
    const now = performance.now();
    if (this.#unreported > 0 && now - this.#lastLog >= LOG_EVERY_MS) {
      this.#log(
        `dropped ${this.#unreported} connection(s) still in their handshake ` +
          `(at most ${this.#limit} at once)`,
      );
      this.#unreported = 0;
      this.#lastLog = now;
    }
    return closed;
  }
}

/** The cap never goes below this, however often {@linkcode HandshakeGate.tighten} runs. */
const MIN_HANDSHAKE_LIMIT = 8;
