import { OUTPUT_COALESCE_BYTES, OUTPUT_COALESCE_MS } from "../limits.ts";

/** Where coalesced output goes: one call per run of bytes of one stream. */
export type OutputSink = (fd: 1 | 2, data: Uint8Array) => void;

// Within a burst the clock is read once per this many writes: reading it for every line was a
// tenth of the cost of printing.
const WRITES_PER_CLOCK_READ = 16;

/**
 * Gathers a program's small writes (wasi-libc writes stdout a line at a time to a terminal or
 * `/dev/null`) into larger ones, so that 200,000 lines cost a few hundred sink calls, not 200,000
 * frames or system calls. Order is kept: a write to the other stream sends what is pending first.
 * A write after {@linkcode OUTPUT_COALESCE_MS} of quiet goes at once; the writes of a burst wait
 * until they fill {@linkcode OUTPUT_COALESCE_BYTES}, or a write comes that much later than the
 * first of them, or {@linkcode flush} (the call's end, and before the program sleeps, reads its
 * input or touches a file). So the tail of a burst followed by a long silent computation shows
 * when the program next prints or ends, as with a C library's own buffering on a pipe.
 *
 * @example
 * ```ts
 * const out = new OutputCoalescer((fd, data) => Deno.stdout.writeSync(data));
 * out.write(1, new TextEncoder().encode("line\n"));
 * out.flush();
 * ```
 */
export class OutputCoalescer {
  readonly #sink: OutputSink;
  #fd: 1 | 2 = 1;
  #buffer = new Uint8Array(OUTPUT_COALESCE_BYTES);
  #bytes = 0;
  #since = 0;
  #writes = 0;
  #lastSent = -Infinity;

  constructor(sink: OutputSink) {
    this.#sink = sink;
  }

  /** Takes a copy of `data` for stream `fd`; may send what is pending. */
  write(fd: 1 | 2, data: Uint8Array): void {
    if (this.#bytes > 0 && fd !== this.#fd) this.flush();
    this.#fd = fd;
    // Nothing can send pending bytes while the program computes in silence, so a write after a
    // quiet spell goes at once ("working..." before a long loop); only bursts are gathered.
    const now = performance.now();
    if (this.#bytes === 0 && now - this.#lastSent >= OUTPUT_COALESCE_MS) {
      this.#lastSent = now;
      this.#sink(fd, data.slice());
      return;
    }
    if (this.#bytes + data.length > this.#buffer.length) {
      this.flush();
      // Larger than the whole buffer: on its way at once, as it is.
      if (data.length >= this.#buffer.length) {
        this.#sink(fd, data.slice());
        return;
      }
    }
    if (this.#bytes === 0) {
      this.#since = now;
      this.#writes = 0;
    }
    this.#buffer.set(data, this.#bytes);
    this.#bytes += data.length;
    if (++this.#writes % WRITES_PER_CLOCK_READ === 0) {
      if (performance.now() - this.#since >= OUTPUT_COALESCE_MS) this.flush();
    }
  }

  /** Sends everything pending, as one write. */
  flush(): void {
    if (this.#bytes === 0) return;
    const data = this.#buffer.slice(0, this.#bytes);
    this.#bytes = 0;
    this.#lastSent = performance.now();
    this.#sink(this.#fd, data);
  }
}
