// Module bodies travel in chunks, each its own frame: the frame cap stops being a module cap,
// and a body is never built whole in a second form (no base64, no giant frame). The receiver
// checks the size as it goes and the sha256 at the end.
import { createHash, type Hash } from "node:crypto";
import { GvmError } from "../errors.ts";
import type { Connection } from "./connection.ts";
import type { StreamEvent } from "./messages.ts";
import { MODULE_CHUNK_BYTES, MODULE_SEND_HIGH_WATER_BYTES } from "../limits.ts";

/**
 * Streams `bytes` to the other side as `chunk` events for request `re` (a body the other side
 * asked for), waiting whenever the socket lags, and stopping if the connection closes. Resolves
 * true when every chunk was queued.
 *
 * @example
 * ```ts
 * if (await sendChunks(conn, request.id, bytes)) conn.reply(request.id, { size: bytes.length });
 * ```
 */
export async function sendChunks(
  conn: Connection,
  re: number,
  bytes: Uint8Array,
): Promise<boolean> {
  for (let at = 0; at < bytes.length; at += MODULE_CHUNK_BYTES) {
    if (!conn.isOpen) return false;
    conn.send({ t: "chunk", re, data: bytes.subarray(at, at + MODULE_CHUNK_BYTES) });
    if (conn.unsentBytes > MODULE_SEND_HIGH_WATER_BYTES) await conn.drained();
  }
  return conn.isOpen;
}

/**
 * Streams a body read piece by piece from `file` (a stored module) as `chunk` events for request
 * `re`: at most one chunk of it is in memory. Resolves with the bytes sent, or undefined if the
 * connection closed first.
 *
 * @example
 * ```ts
 * using file = await Deno.open(path);
 * const size = await sendFileChunks(conn, request.id, file);
 * ```
 */
export async function sendFileChunks(
  conn: Connection,
  re: number,
  file: Deno.FsFile,
): Promise<number | undefined> {
  let size = 0;
  while (conn.isOpen) {
    // A fresh buffer each time: the one sent is held by the outbox until written.
    const buffer = new Uint8Array(MODULE_CHUNK_BYTES);
    let filled = 0;
    while (filled < buffer.length) {
      const n = await file.read(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    if (filled === 0) return size;
    conn.send({ t: "chunk", re, data: buffer.subarray(0, filled) });
    size += filled;
    if (conn.unsentBytes > MODULE_SEND_HIGH_WATER_BYTES) await conn.drained();
    if (filled < buffer.length) return conn.isOpen ? size : undefined;
  }
  return undefined;
}

/**
 * Sends `bytes` as `module.part` notices of upload `upload`, for a `module.put` to name.
 *
 * @example
 * ```ts
 * await sendParts(conn, 1, bytes);
 * ```
 */
export async function sendParts(
  conn: Connection,
  upload: number,
  bytes: Uint8Array,
): Promise<void> {
  for (let at = 0; at < bytes.length; at += MODULE_CHUNK_BYTES) {
    if (!conn.isOpen) return;
    conn.send({ t: "module.part", upload, data: bytes.subarray(at, at + MODULE_CHUNK_BYTES) });
    if (conn.unsentBytes > MODULE_SEND_HIGH_WATER_BYTES) await conn.drained();
  }
}

/** Options for {@linkcode BodyCollector}. */
export interface BodyCollectorOptions {
  /** Largest body accepted. */
  maxBytes: number;
  /** Names the cap in errors, e.g. `--max-module-bytes`. */
  flag: string;
  /** What is being received, for errors. */
  what: string;
}

/**
 * Gathers the chunks of one body, refusing more than the cap as soon as it is passed.
 *
 * @example
 * ```ts
 * const body = new BodyCollector({ maxBytes, flag: "--max-module-bytes", what: "math" });
 * await conn.request(request, { onEvent: (e) => body.add(e) });
 * const bytes = body.finish(reply.size);
 * ```
 */
export class BodyCollector {
  readonly #options: BodyCollectorOptions;
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #error?: GvmError;
  // Hashed as chunks arrive (~0.3 ms per chunk), so no pass over the whole body is left for
  // the end: that pass would hold the event loop for tens of ms on a big module.
  readonly #hash: Hash = createHash("sha256");

  constructor(options: BodyCollectorOptions) {
    this.#options = options;
  }

  /** Takes one `chunk` event (other events are ignored). */
  add(event: StreamEvent): void {
    if (event.t !== "chunk" || this.#error) return;
    this.addBytes(event.data);
  }

  /** Takes one piece of the body. */
  addBytes(data: Uint8Array): void {
    if (this.#error) return;
    this.#size += data.length;
    if (this.#size > this.#options.maxBytes) {
      this.#chunks.length = 0;
      this.#error = tooLarge(this.#options.what, this.#size, this.#options);
      return;
    }
    this.#chunks.push(data);
    this.#hash.update(data);
  }

  /** Bytes received so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * The whole body, which must be `size` bytes and, when `sha256` is given, hash to it
   * (`HASH_MISMATCH` otherwise); throws the cap error if the cap was passed.
   */
  finish(size: number, sha256?: string): Uint8Array {
    if (this.#error) throw this.#error;
    if (size > this.#options.maxBytes) throw tooLarge(this.#options.what, size, this.#options);
    if (size !== this.#size) {
      throw new GvmError(
        "PROTOCOL_ERROR",
        `${this.#options.what}: ${this.#size} bytes arrived, ${size} were announced`,
      );
    }
    if (sha256 !== undefined) {
      const actual = this.#hash.digest("hex");
      if (actual !== sha256) {
        throw new GvmError(
          "HASH_MISMATCH",
          `${this.#options.what} has sha256 ${actual}, not the ${sha256} it was sent as`,
        );
      }
    }
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(size);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks.length = 0;
    return out;
  }
}

function tooLarge(what: string, size: number, options: BodyCollectorOptions): GvmError {
  return new GvmError(
    "BAD_MODULE",
    `${what} is at least ${size} bytes, over the ${options.maxBytes}-byte module cap (${options.flag})`,
  );
}
