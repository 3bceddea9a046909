// The wire protocol spoken by hand over a raw TCP socket, for hostile-input tests and the fuzzer:
// frames are written byte for byte and whatever comes back is read with a deadline, so a test
// can see exactly what a GPMD or a node answers (or that it hangs up).

import { decode, encode } from "@msgpack/msgpack";

/** Bytes in a frame's length prefix. */
export const HEADER_BYTES = 4;
/** The frame size cap both GPMD and nodes enforce. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

const encoder = new TextEncoder();

/**
 * One message as MessagePack, as GVM writes it (byte arrays raw, bigints as 64-bit integers).
 * Written with the npm codec directly, not GVM's own, so a codec bug cannot hide from tests.
 */
export function pack(message: unknown): Uint8Array {
  return encode(message, { useBigInt64: true, ignoreUndefined: true });
}

/** One frame read back: its payload, and the message in it when it is a map with `t`. */
export interface ReadFrame {
  payload: Uint8Array;
  message?: { t: string; [field: string]: unknown };
}

/** How a read of everything up to the end went. */
export interface ReadToEnd {
  frames: ReadFrame[];
  /** `eof`: the other side closed; `reset`: the socket failed (RST). */
  end: "eof" | "reset";
  /** Milliseconds from the call to the end. */
  ms: number;
}

/** `payload` (bytes, raw text, or a value to MessagePack) with its 4-byte big-endian length. */
export function frame(payload: Uint8Array | string | object): Uint8Array {
  const bytes = payload instanceof Uint8Array
    ? payload
    : typeof payload === "string"
    ? encoder.encode(payload)
    : pack(payload);
  return withLength(bytes, bytes.byteLength);
}

/** `payload` behind a length prefix that says `length`, whatever the payload's real size. */
export function withLength(payload: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  new DataView(out.buffer).setUint32(0, length >>> 0);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Joins byte arrays. */
export function concat(...chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** 16 random bytes as 32 hex digits, the nonce form the handshake uses. */
export function randomNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** HMAC-SHA256 over `label:a:b` with the cookie as key: the handshake's proofs. */
export async function handshakeProof(
  cookie: string,
  label: "gvm-server" | "gvm-client",
  a: string,
  b: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(cookie),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${label}:${a}:${b}`));
  return toHex(new Uint8Array(mac));
}

/** What a finished client handshake saw and sent, for replay tests. */
export interface HandshakeRecord {
  clientNonce: string;
  serverNonce: string;
  /** The proof the server sent in its challenge. */
  serverProof: string;
  /** The proof this client sent in `auth`. */
  clientProof: string;
}

/**
 * A raw TCP client. A background pump reads everything the server sends into a buffer, so reads
 * with a deadline never leave a socket read pending, and the end of the stream (or a reset) is
 * seen as soon as it happens.
 */
export class RawClient implements AsyncDisposable {
  readonly conn: Deno.TcpConn;
  #buffer: Uint8Array = new Uint8Array(0);
  #ended?: "eof" | "reset";
  #waiters: (() => void)[] = [];
  #closed = false;
  #heartbeat?: ReturnType<typeof setInterval>;
  #writing: Promise<unknown> = Promise.resolve();
  readonly #pump: Promise<void>;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    conn.setNoDelay(true);
    this.#pump = this.#readAll();
  }

  /** Connects to `127.0.0.1:port`. */
  static async connect(port: number, hostname = "127.0.0.1"): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname, port }));
  }

  /** Whether the server has closed (or reset) its side. */
  get ended(): "eof" | "reset" | undefined {
    return this.#ended;
  }

  /** Bytes received and not yet taken by a read. */
  get buffered(): number {
    return this.#buffer.byteLength;
  }

  async #readAll(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) {
          this.#ended = "eof";
          break;
        }
        this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
        this.#wake();
      }
    } catch {
      this.#ended = this.#closed ? "eof" : "reset";
    }
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Waits until more bytes arrive or the stream ends; false once `deadline` has passed. */
  async #waitForData(deadline: number): Promise<boolean> {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return true;
  }

  /**
   * Writes every byte of `bytes`, after any write still under way (a heartbeat must not land in
   * the middle of a big frame); false if the server has already hung up (EPIPE/ECONNRESET).
   */
  write(bytes: Uint8Array): Promise<boolean> {
    const done = this.#writing.then(async () => {
      try {
        let written = 0;
        while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
        return true;
      } catch {
        return false;
      }
    });
    this.#writing = done;
    return done;
  }

  /** Writes `payload` as one well-formed frame. */
  send(payload: Uint8Array | string | object): Promise<boolean> {
    return this.write(frame(payload));
  }

  /** Takes one whole frame if the buffer holds one. */
  #takeFrame(): ReadFrame | undefined {
    if (this.#buffer.byteLength < HEADER_BYTES) return undefined;
    const length = new DataView(this.#buffer.buffer, this.#buffer.byteOffset).getUint32(0);
    if (this.#buffer.byteLength < HEADER_BYTES + length) return undefined;
    const payload = this.#buffer.slice(HEADER_BYTES, HEADER_BYTES + length);
    this.#buffer = this.#buffer.slice(HEADER_BYTES + length);
    return { payload, message: parseMessage(payload) };
  }

  /**
   * The next frame, skipping heartbeats; undefined if the stream ends first. Throws when no frame
   * comes within `timeoutMs`.
   */
  async readFrame(timeoutMs = 5_000): Promise<ReadFrame | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const next = this.#takeFrame();
      if (next) {
        if (next.message?.t === "hb") continue;
        return next;
      }
      if (this.#ended) return undefined;
      if (!await this.#waitForData(deadline)) {
        throw new Error(`No frame within ${timeoutMs} ms`);
      }
    }
  }

  /** The next message, which must be of type `t` (heartbeats skipped); throws otherwise. */
  async expect(t: string, timeoutMs = 5_000): Promise<NonNullable<ReadFrame["message"]>> {
    const got = await this.readFrame(timeoutMs);
    if (got?.message?.t !== t) {
      throw new Error(`Expected '${t}', got ${got ? describe(got) : "the end of the stream"}`);
    }
    return got.message;
  }

  /**
   * Reads every frame until the server closes (or resets) the connection. Throws if it is still
   * open after `timeoutMs`: a server that neither answers nor hangs up is a bug.
   */
  async readToEnd(timeoutMs: number): Promise<ReadToEnd> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    const frames: ReadFrame[] = [];
    while (true) {
      for (let next = this.#takeFrame(); next; next = this.#takeFrame()) {
        if (next.message?.t !== "hb") frames.push(next);
      }
      if (this.#ended) {
        return { frames, end: this.#ended, ms: performance.now() - started };
      }
      if (!await this.#waitForData(deadline)) {
        throw new Error(
          `The connection is still open after ${timeoutMs} ms; frames so far: ${
            frames.map(describe).join(", ") || "none"
          }`,
        );
      }
    }
  }

  /** Runs the client side of the cookie handshake by hand; the server must welcome us. */
  async handshake(cookie: string, clientNonce = randomNonce()): Promise<HandshakeRecord> {
    await this.send({ t: "hello", v: 1, nonce: clientNonce });
    const challenge = await this.expect("challenge");
    const serverNonce = String(challenge.nonce);
    const clientProof = await handshakeProof(cookie, "gvm-client", serverNonce, clientNonce);
    await this.send({ t: "auth", proof: clientProof });
    await this.expect("welcome");
    return { clientNonce, serverNonce, serverProof: String(challenge.proof), clientProof };
  }

  /**
   * Sends a heartbeat every 500 ms, as a live peer does, so the server's silence detector leaves
   * this connection alone while a test uses it.
   */
  startHeartbeat(): void {
    this.#heartbeat ??= setInterval(() => void this.send({ t: "hb" }), 500);
  }

  /** Half-closes: the server reads end of input, we can still read its answer. */
  async closeWrite(): Promise<void> {
    await this.conn.closeWrite().catch(() => {});
  }

  /** Closes the socket at once (unread data in our buffer makes the kernel send a reset). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#pump;
  }
}

function parseMessage(payload: Uint8Array): ReadFrame["message"] {
  try {
    const value = decode(payload, { useBigInt64: true }) as Record<string, unknown> | null;
    if (typeof value === "object" && value !== null && typeof value.t === "string") {
      return value as ReadFrame["message"];
    }
  } catch {
    // Not a message: the caller looks at the payload bytes.
  }
  return undefined;
}

/** A short description of a frame for failure messages. */
export function describe(read: ReadFrame): string {
  if (read.message) {
    return JSON.stringify(
      read.message,
      (_k, v) =>
        v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === "bigint" ? `${v}n` : v,
    ).slice(0, 200);
  }
  return `${read.payload.byteLength} raw bytes`;
}
