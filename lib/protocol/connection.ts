import { type ErrorCode, GvmError, isErrorCode, toGvmError } from "../errors.ts";
import { FrameDecoder } from "./frame.ts";
import { Outbox } from "./outbox.ts";
import {
  decodeMessage,
  decodeReply,
  type Invalid,
  type Message,
  type Notice,
  packMessage,
  type Replies,
  type Reply,
  type Request,
  type RequestType,
  type StreamEvent,
} from "./messages.ts";
import {
  DEFAULT_MAX_FRAME_BYTES,
  HANDSHAKE_MAX_FRAME_BYTES,
  HEARTBEAT_DEAD_MS,
  HEARTBEAT_INTERVAL_MS,
  MAX_UNSENT_BYTES,
  REQUEST_TIMEOUT_MS,
} from "../limits.ts";

/** Options for {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Largest frame accepted once {@linkcode Connection.start} is called. @default {16 MiB} */
  maxFrameBytes?: number;
  /** Heartbeat period once started. @default {500} */
  heartbeatMs?: number;
  /** Silence after which the peer is declared dead. @default {2000} */
  deadAfterMs?: number;
}

/** Options for one {@linkcode Connection.request}. */
export interface RequestOptions {
  /** How long to wait for the reply. @default {10000} */
  timeoutMs?: number;
  /** Receives messages that name this request in `re` before the reply (output, body chunks). */
  onEvent?: (event: StreamEvent) => void;
  /** Rejects the request when aborted. */
  signal?: AbortSignal;
}

/**
 * Read buffer before the handshake: its frames are small, and a flood of strangers must not cost
 * 64 KiB each. {@linkcode Connection.start} switches to {@linkcode READ_BYTES}.
 */
const FIRST_READ_BYTES = 1024;
/** Read buffer once authenticated: big reads for module bodies and output. */
const READ_BYTES = 64 * 1024;

interface Pending {
  resolve: (body: Record<string, unknown>) => void;
  reject: (error: GvmError) => void;
  onEvent?: (event: StreamEvent) => void;
  timer?: ReturnType<typeof setTimeout>;
  deadline: number;
  label: RequestType;
  timeoutMs: number;
}

/** What a started connection hands its handler: requests, notices, and messages it cannot read. */
export type Incoming = Request | Notice<"cancel" | "module.part"> | Invalid;

/** Handles a message that is neither a reply nor a stream event. */
export type MessageHandler = (message: Incoming, connection: Connection) => void;

/** Anything that can be sent. */
export type Outgoing = Request | Notice | Reply;

/**
 * Owns one socket: frames in and out, the pending-request map, heartbeats, and close.
 * Before {@linkcode Connection.start} incoming messages are read with {@linkcode Connection.next}
 * (used by the handshake); afterwards they go to the handler.
 *
 * @example
 * ```ts
 * const conn = new Connection(await Deno.connect({ port: 5989 }));
 * conn.start(() => {});
 * const reply = await conn.request({ t: "discover" });
 * ```
 */
export class Connection {
  readonly #conn: Deno.Conn;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameBytes: number;
  readonly #heartbeatMs: number;
  readonly #deadAfterMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #inbox: Message[] = [];
  #waiter?: { resolve: (m: Message) => void; reject: (e: GvmError) => void };
  #handler?: MessageHandler;
  #nextId = 1;
  readonly #outbox = new Outbox();
  #inFlightBytes = 0;
  #flushing?: Promise<void>;
  #lastReceived = performance.now();
  #readBuffer = new Uint8Array(FIRST_READ_BYTES);
  #heartbeat?: ReturnType<typeof setInterval>;
  #closeError?: GvmError;
  #isClosed = false;
  #closed: Promise<GvmError | undefined>;
  #resolveClosed!: (error: GvmError | undefined) => void;

  constructor(conn: Deno.Conn, options: ConnectionOptions = {}) {
    this.#conn = conn;
    // Small request/reply frames: Nagle plus delayed ACKs would add ~40 ms to each round trip.
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#decoder = new FrameDecoder({ maxFrameBytes: HANDSHAKE_MAX_FRAME_BYTES });
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS;
    this.#deadAfterMs = options.deadAfterMs ?? HEARTBEAT_DEAD_MS;
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#readLoop();
  }

  /** Bytes queued or being written, not yet handed to the socket. */
  get unsentBytes(): number {
    return this.#outbox.queuedBytes + this.#inFlightBytes;
  }

  /** Resolves when everything queued so far has been written (or the connection is closed). */
  drained(): Promise<void> {
    return this.#flushing ?? Promise.resolve();
  }

  /** Resolves when the connection has closed, with the reason if it was not a clean close. */
  get closed(): Promise<GvmError | undefined> {
    return this.#closed;
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return !this.#isClosed;
  }

  /** The peer's address as the socket sees it. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr as Deno.NetAddr;
  }

  /** The next incoming message, for use before {@linkcode start} (handshakes). */
  next(timeoutMs: number): Promise<Message> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) {
      return Promise.reject(this.#closeError ?? new GvmError("PEER_DOWN", "Connection closed"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new GvmError("TIMEOUT", `No message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Hands every later message to `handler` and starts heartbeats. */
  start(handler: MessageHandler): void {
    this.#handler = handler;
    this.#decoder.maxFrameBytes = this.#maxFrameBytes;
    this.#readBuffer = new Uint8Array(READ_BYTES);
    for (const message of this.#inbox.splice(0)) this.#dispatch(message);
    if (this.#heartbeatMs > 0 && !this.#isClosed) {
      this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    }
  }

  /** Queues `message` for sending; frames queued together go out in one write. */
  send(message: Outgoing): void {
    if (this.#isClosed) return;
    this.#outbox.push(packMessage(message));
    // A peer that stops reading must not make us buffer without bound.
    if (this.#outbox.queuedBytes > MAX_UNSENT_BYTES) {
      this.close(
        new GvmError("PEER_DOWN", "The other side is not reading; dropped its connection"),
      );
      return;
    }
    this.#flushing ??= this.#flush();
  }

  /**
   * Sends a request and resolves with its reply's checked fields; an error reply rejects with
   * its code, a malformed one with `PROTOCOL_ERROR`.
   */
  request<T extends RequestType>(
    message: Request<T>,
    options: RequestOptions = {},
  ): Promise<Replies[T]> {
    if (this.#isClosed) {
      return Promise.reject(this.#closeError ?? new GvmError("PEER_DOWN", "Connection closed"));
    }
    // An abort that came before the request never fires its event: refuse here, send nothing.
    if (options.signal?.aborted) {
      return Promise.reject(new GvmError("CANCELLED", `'${message.t}' was cancelled`));
    }
    const id = this.#nextId++;
    return new Promise<Replies[T]>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const pending: Pending = {
        resolve: (body) => {
          try {
            resolve(decodeReply(message.t as T, body));
          } catch (error) {
            reject(error as GvmError);
          }
        },
        reject,
        onEvent: options.onEvent,
        deadline: performance.now() + timeoutMs,
        label: message.t,
        timeoutMs,
      };
      // Once heartbeats run they also sweep deadlines: a timer per request costs ~10 µs.
      if (Number.isFinite(timeoutMs) && this.#heartbeat === undefined) {
        pending.timer = setTimeout(() => this.#expire(id, pending), timeoutMs);
      }
      options.signal?.addEventListener("abort", () => {
        if (!this.#pending.delete(id)) return;
        clearTimeout(pending.timer);
        reject(new GvmError("CANCELLED", `'${message.t}' was cancelled`));
      }, { once: true });
      this.#pending.set(id, pending);
      this.send({ ...message, id } as Request);
    });
  }

  /** Replies to request `id` with success and `body`. */
  reply<T extends RequestType>(id: number | undefined, body: Replies[T]): void {
    if (id === undefined) return;
    this.send({ t: "reply", id, ok: true, body: body as Record<string, unknown> });
  }

  /**
   * Replies to request `id` with an error code and message. A message without an id gets no
   * answer: two sides answering each other's unanswerable messages would never stop.
   */
  replyError(id: number | undefined, error: unknown): void {
    if (id === undefined) return;
    const err = toGvmError(error);
    // A program's exit status travels with EXIT_CODE, so a remote `proc_exit(N)` ends gvm with N.
    const exit = err.exitCode === undefined ? {} : { exitCode: err.exitCode };
    this.send({ t: "reply", id, ok: false, code: err.code, message: err.message, ...exit });
  }

  /** Tells the other side why it is being hung up on (before {@linkcode closeAfterFlush}). */
  sendError(error: unknown): void {
    const err = toGvmError(error);
    this.send({ t: "error", code: err.code, message: err.message });
  }

  /** Closes the socket; pending requests fail with `error` (default `PEER_DOWN`). */
  close(error?: GvmError): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closeError = error;
    clearInterval(this.#heartbeat);
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer; nothing left to release.
    }
    const failure = error ?? new GvmError("PEER_DOWN", "Connection closed");
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(failure);
      this.#pending.delete(id);
    }
    this.#waiter?.reject(failure);
    this.#waiter = undefined;
    this.#resolveClosed(error);
  }

  /** Sends what is queued, then closes: for a last error reply before hanging up. */
  async closeAfterFlush(error?: GvmError): Promise<void> {
    await this.#flushing;
    this.close(error);
  }

  async #flush(): Promise<void> {
    try {
      while (!this.#outbox.isEmpty && !this.#isClosed) {
        // Small frames queued together leave in one write; large pieces as they are, uncopied.
        const batch = this.#outbox.take();
        for (const part of batch) this.#inFlightBytes += part.byteLength;
        for (const bytes of batch) {
          let written = 0;
          while (written < bytes.length) {
            written += await this.#conn.write(bytes.subarray(written));
          }
          this.#inFlightBytes -= bytes.length;
        }
        this.#inFlightBytes = 0;
        this.#outbox.written();
      }
    } catch (error) {
      this.close(new GvmError("PEER_DOWN", `Write failed: ${(error as Error).message}`));
    } finally {
      this.#flushing = undefined;
    }
  }

  #beat(): void {
    if (performance.now() - this.#lastReceived > this.#deadAfterMs) {
      this.close(new GvmError("PEER_DOWN", `No heartbeat for ${this.#deadAfterMs} ms`));
      return;
    }
    this.send({ t: "hb" });
    const now = performance.now();
    for (const [id, pending] of this.#pending) {
      if (now >= pending.deadline) this.#expire(id, pending);
    }
  }

  #expire(id: number, pending: Pending): void {
    if (!this.#pending.delete(id)) return;
    clearTimeout(pending.timer);
    pending.reject(
      new GvmError("TIMEOUT", `No reply to '${pending.label}' within ${pending.timeoutMs} ms`),
    );
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#isClosed) {
        const buffer = this.#readBuffer;
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#lastReceived = performance.now();
        for (const payload of this.#decoder.push(buffer.subarray(0, n))) {
          this.#receive(decodeMessage(payload));
          if (this.#isClosed) return;
        }
      }
      this.close();
    } catch (error) {
      const err = error instanceof GvmError
        ? error
        : new GvmError("PEER_DOWN", `Connection lost: ${(error as Error).message}`);
      this.close(err);
    }
  }

  #receive(message: Message): void {
    if (message.t === "hb") return;
    if (this.#handler) {
      this.#dispatch(message);
    } else if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve(message);
    } else {
      this.#inbox.push(message);
    }
  }

  #dispatch(message: Message): void {
    switch (message.t) {
      case "reply": {
        const pending = this.#pending.get(message.id);
        if (!pending) return; // Late reply to a request that timed out or was cancelled.
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.body);
        else pending.reject(replyError(message.code, message.message, message.exitCode));
        return;
      }
      case "out":
      case "chunk":
        this.#pending.get(message.re)?.onEvent?.(message);
        return;
      case "error": // A complaint about something we sent; nothing to answer.
      case "hb":
      case "hello":
      case "challenge":
      case "auth":
      case "welcome":
        return; // Handshake messages after the handshake: nothing to do.
      default:
        this.#handler!(message as Incoming, this);
    }
  }
}

function replyError(code: string, message: string, exitCode?: number): GvmError {
  return new GvmError(isErrorCode(code) ? code as ErrorCode : "PROTOCOL_ERROR", message, {
    exitCode,
  });
}
