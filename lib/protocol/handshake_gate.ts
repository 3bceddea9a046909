/** Options for {@linkcode HandshakeGate}. */
export interface HandshakeGateOptions {
  /** Handshakes in progress at once; past it the oldest is dropped. @default {handshakeLimit()} */
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
  /** The most handshakes allowed in progress at once. */
  readonly limit: number;
  readonly #log: (line: string) => void;
  // Insertion order is age: the first entry is the oldest.
  readonly #pending = new Set<Deno.Conn>();
  readonly #shed = new WeakSet<Deno.Conn>();
  #unreported = 0;
  #lastLog = -Infinity;

  constructor(options: HandshakeGateOptions = {}) {
    this.limit = Math.max(1, options.limit ?? handshakeLimit());
    this.#log = options.log ?? (() => {});
  }

  /** Handshakes now in progress. */
  get size(): number {
    return this.#pending.size;
  }

  /** Counts `socket` as handshaking; drops the oldest ones if that makes too many. */
  enter(socket: Deno.Conn): void {
    this.#pending.add(socket);
    if (this.#pending.size > this.limit) this.shedOldest(this.#pending.size - this.limit);
  }

  /** `socket` finished its handshake, or failed it. */
  leave(socket: Deno.Conn): void {
    this.#pending.delete(socket);
  }

  /** Whether `socket` was closed by this gate (its handshake failing is no news). */
  wasShed(socket: Deno.Conn): boolean {
    return this.#shed.has(socket);
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
          `(at most ${this.limit} at once)`,
      );
      this.#unreported = 0;
      this.#lastLog = now;
    }
    return closed;
  }
}

let cachedLimit: number | undefined;

/**
 * The default cap on handshakes in progress: a quarter of this process's open-file limit
 * (leaving the rest for authenticated connections, files and the runtime), between 8 and 512.
 * Where the limit cannot be read (not Linux, no read permission) it is 256.
 */
export function handshakeLimit(): number {
  if (cachedLimit === undefined) {
    const files = openFileLimit();
    cachedLimit = files === undefined ? 256 : Math.min(512, Math.max(8, Math.floor(files / 4)));
  }
  return cachedLimit;
}

function openFileLimit(): number | undefined {
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}
