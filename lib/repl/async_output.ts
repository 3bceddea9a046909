import { PROMPT_OUTPUT_CAP_BYTES } from "../limits.ts";
/** Where an {@linkcode AsyncOutput} writes: `Deno.stdout`, `Deno.stderr`, or a test double. */
export interface ByteSink {
  write(data: Uint8Array): Promise<number>;
}

/** Options for {@linkcode AsyncOutput}. */
export interface AsyncOutputOptions {
  /** Bytes queued before writers are asked to wait (or their chunks dropped). @default {1 MiB} */
  capBytes?: number;
}

/**
 * A terminal or pipe written without ever blocking the event loop. A synchronous write to a
 * stdout nobody reads (`| less` paused, a stalled ssh, Ctrl-S) froze the whole node: no
 * heartbeats, so GPMD and peers dropped it. Here bytes queue and one async writer drains them;
 * past `capBytes` a call's output waits ({@linkcode write} resolves late, which pauses the call
 * in its sandbox) or, where nothing can wait, is dropped ({@linkcode offer}) — never the node.
 *
 * @example
 * ```ts
 * const out = new AsyncOutput(Deno.stdout);
 * await out.write(new TextEncoder().encode("hello\n"));
 * await out.flush();
 * ```
 */
export class AsyncOutput {
  readonly #sink: ByteSink;
  readonly #cap: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #pumping = false;
  #broken = false;
  #drained: (() => void)[] = [];
  #room: (() => void)[] = [];
  /** Bytes dropped by {@linkcode offer} since the last report. */
  dropped = 0;
  /** Called once, when a write first fails: the reader has gone. */
  onBroken?: () => void;

  constructor(sink: ByteSink, options: AsyncOutputOptions = {}) {
    this.#sink = sink;
    this.#cap = options.capBytes ?? PROMPT_OUTPUT_CAP_BYTES;
  }

  /** Whether the reader has gone (a write failed); everything since is dropped. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Bytes waiting to be written. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues `data`; resolves once the queue is back under its cap (at once if it is). */
  write(data: Uint8Array): Promise<void> {
    this.#enqueue(data);
    if (this.#queued <= this.#cap || this.#broken) return Promise.resolve();
    return new Promise((resolve) => this.#room.push(resolve));
  }

  /** Queues `data` unless the queue is full; returns whether it was taken. */
  offer(data: Uint8Array): boolean {
    if (this.#queued > this.#cap) {
      this.dropped += data.length;
      return false;
    }
    this.#enqueue(data);
    return true;
  }

  /** Resolves when everything queued so far has been written (or the reader has gone). */
  flush(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #enqueue(data: Uint8Array): void {
    // A reader that went away (`gvm ... | head`): drop the rest, as other tools do.
    if (this.#broken || data.length === 0) return;
    // Copied: callers may reuse their buffer once write() returns.
    this.#queue.push(data.slice());
    this.#queued += data.length;
    if (!this.#pumping) this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#queue.length > 0) {
      const chunk = this.#queue[0];
      try {
        const n = await this.#sink.write(chunk);
        this.#queued -= n;
        if (n >= chunk.length) this.#queue.shift();
        else this.#queue[0] = chunk.subarray(n);
      } catch {
        this.#broken = true;
        this.#queue = [];
        this.#queued = 0;
        this.onBroken?.();
        this.onBroken = undefined;
      }
      if (this.#queued <= this.#cap) { for (const wake of this.#room.splice(0)) wake(); }
    }
    this.#pumping = false;
    for (const wake of [...this.#room.splice(0), ...this.#drained.splice(0)]) wake();
  }
}
