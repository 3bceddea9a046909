// Frames waiting for the socket. Small frames are written one after another into one buffer,
// so many queued frames leave in one write and a frame costs no allocation of its own (at 64
// calls in flight, a small typed array per frame was a tenth of the wire's CPU, mostly in the
// GC). Large byte fields are not copied: they are queued as pieces of their own.
import { BIN32_HEADER_BYTES, type PackedFrame, writeBin32Header } from "./codec.ts";

const INITIAL_BYTES = 16 * 1024;

/**
 * A queue of encoded frames. Pure: {@linkcode take} hands out what to write, and
 * {@linkcode written} says it has been written, so the buffer can be reused.
 *
 * @example
 * ```ts
 * const outbox = new Outbox();
 * outbox.push(packFrame({ t: "hb" }, "data"));
 * for (const bytes of outbox.take()) await conn.write(bytes);
 * outbox.written();
 * ```
 */
export class Outbox {
  #buffer = new Uint8Array(INITIAL_BYTES);
  #view = new DataView(this.#buffer.buffer);
  /** End of the bytes written into the buffer. */
  #end = 0;
  /** Start of the bytes not yet handed out. */
  #start = 0;
  /** Pieces sealed for writing, in order, not yet handed out. */
  #pieces: Uint8Array[] = [];
  #queued = 0;

  /** Bytes queued and not yet handed out. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Whether nothing is queued. */
  get isEmpty(): boolean {
    return this.#queued === 0;
  }

  /** Queues one frame: its length prefix, its head, and its tail if any. */
  push(frame: PackedFrame): void {
    const { head, tail } = frame;
    const extra = tail ? BIN32_HEADER_BYTES : 0;
    this.#room(4 + head.length + extra);
    this.#view.setUint32(this.#end, head.length + extra + (tail?.length ?? 0));
    this.#buffer.set(head, this.#end + 4);
    this.#end += 4 + head.length;
    if (tail) {
      writeBin32Header(this.#view, this.#end, tail.length);
      this.#end += BIN32_HEADER_BYTES;
      this.#seal();
      this.#pieces.push(tail);
    }
    this.#queued += 4 + head.length + extra + (tail?.length ?? 0);
  }

  /** Everything queued, as pieces to write in order. */
  take(): Uint8Array[] {
    this.#seal();
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#queued = 0;
    return pieces;
  }

  /** Says the pieces handed out by {@linkcode take} are written: their buffer may be reused. */
  written(): void {
    // Reuse the buffer only when nothing in it waits: queued bytes sit at its start otherwise.
    if (this.#pieces.length === 0 && this.#start === this.#end) this.#start = this.#end = 0;
  }

  #seal(): void {
    if (this.#end > this.#start) this.#pieces.push(this.#buffer.subarray(this.#start, this.#end));
    this.#start = this.#end;
  }

  #room(bytes: number): void {
    if (this.#end + bytes <= this.#buffer.length) return;
    // Pieces already sealed keep pointing at the old buffer; what is not sealed moves along.
    const unsealed = this.#buffer.subarray(this.#start, this.#end);
    const size = Math.max(INITIAL_BYTES, (unsealed.length + bytes) * 2);
    const next = new Uint8Array(size);
    next.set(unsealed);
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
    this.#end = unsealed.length;
    this.#start = 0;
  }
}
