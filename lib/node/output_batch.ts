// A call's output on its way back to the caller: small writes are gathered into one `out` frame
// (a Rust program printing line by line would otherwise cost a frame per line), and what is
// still gathered when the call ends rides in its reply: a quick call costs one frame, not two.
import type { Connection } from "../protocol/connection.ts";
import type { OutputChunk } from "../protocol/messages.ts";
import {
  OUTPUT_COALESCE_BYTES,
  OUTPUT_FLUSH_DELAY_MS,
  OUTPUT_HIGH_WATER_BYTES,
} from "../limits.ts";

/**
 * Output of one call served for a peer.
 *
 * @example
 * ```ts
 * const output = new OutputBatch(conn, request.id);
 * await runtime.call(spec, { onOutput: (fd, data) => output.write(fd, data) });
 * conn.reply(request.id, { values, out: output.take() });
 * ```
 */
export class OutputBatch {
  readonly #conn: Connection;
  readonly #re: number | undefined;
  /** Runs of writes to one stream, joined when sent. */
  #runs: { fd: 1 | 2; parts: Uint8Array[] }[] = [];
  #bytes = 0;
  #timer?: ReturnType<typeof setTimeout>;

  constructor(conn: Connection, re: number | undefined) {
    this.#conn = conn;
    this.#re = re;
  }

  /**
   * Gathers one write, keeping `data` itself (the runtime hands over bytes of its own: the
   * inline executor's gathered chunks, or the sandbox pipe's decoded frames). Returns a promise
   * to wait on when the caller lags behind, so a module printing without end cannot fill this
   * node's memory or the connection.
   */
  write(fd: 1 | 2, data: Uint8Array): Promise<void> | undefined {
    const last = this.#runs[this.#runs.length - 1];
    // Same-stream writes merge into one chunk.
    if (last?.fd === fd) last.parts.push(data);
    else this.#runs.push({ fd, parts: [data] });
    this.#bytes += data.length;
    if (this.#bytes >= OUTPUT_COALESCE_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), OUTPUT_FLUSH_DELAY_MS);
    return this.#conn.unsentBytes > OUTPUT_HIGH_WATER_BYTES ? this.#conn.drained() : undefined;
  }

  /** Sends what is gathered as `out` frames now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [fd, data] of this.take() ?? []) {
      this.#conn.send({ t: "out", re: this.#re ?? 0, fd, data });
    }
  }

  /** Takes what is gathered (for the reply), or undefined if nothing is. */
  take(): OutputChunk[] | undefined {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#runs.length === 0) return undefined;
    const runs = this.#runs;
    this.#runs = [];
    this.#bytes = 0;
    return runs.map(({ fd, parts }): OutputChunk => [fd, join(parts)]);
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
