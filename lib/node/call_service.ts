import { GvmError, toGvmError } from "../errors.ts";
import type { StoredModule } from "../gpmd/store.ts";
import type { Connection } from "../protocol/connection.ts";
import {
  base64ToBytes,
  bytesToBase64,
  type Message,
  optionalStringField,
  stringField,
} from "../protocol/messages.ts";
import type { LoadedModule } from "../wasm/catalog.ts";
import type { WasmRuntime } from "../wasm/runtime.ts";
import { decodeArgs, encodeValues } from "./wire.ts";

/** Options for {@linkcode CallService}. */
export interface CallServiceOptions {
  runtime: WasmRuntime;
  /** Fetches a module body by hash from GPMD's store. */
  fetchFromGpmd: (sha256: string) => Promise<StoredModule>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Unsent output past which a call's module waits for the caller to catch up. */
const OUTPUT_HIGH_WATER = 1024 * 1024;

// Streams a chunk of a call's output to its caller; past the high-water mark the module is made
// to wait, so a module printing without end cannot fill this node's memory or the connection.
function forwardOutput(
  conn: Connection,
  requestId: number | undefined,
  fd: 1 | 2,
  data: Uint8Array,
): Promise<void> | undefined {
  conn.send({ t: "out", re: requestId, fd, data: bytesToBase64(data) });
  return conn.unsentBytes > OUTPUT_HIGH_WATER ? conn.drained() : undefined;
}

/**
 * Serves peers' requests on this node: runs their calls (streaming output back), cancels them,
 * and hands out module bodies they lack.
 *
 * @example
 * ```ts
 * const service = new CallService({ runtime, fetchFromGpmd });
 * service.handle(message, conn);
 * ```
 */
export class CallService {
  readonly #options: CallServiceOptions;
  readonly #running = new Map<string, { controller: AbortController; conn: Connection }>();

  constructor(options: CallServiceOptions) {
    this.#options = options;
  }

  /** Calls running here for peers (for status and leak checks). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Handles one peer request. */
  handle(message: Message, conn: Connection): void {
    switch (message.t) {
      case "call":
        this.#serveCall(message, conn);
        return;
      case "cancel": {
        // A peer may cancel only the calls it made.
        const running = this.#running.get(String(message.callId));
        if (running?.conn === conn) running.controller.abort();
        return;
      }
      case "module.need":
        this.#serveModule(message, conn);
        return;
      default:
        conn.replyError(
          message.id,
          new GvmError("PROTOCOL_ERROR", `Unknown message type '${message.t}'`),
        );
    }
  }

  /** Cancels a call a peer is running here; false if no such call runs. */
  cancel(callId: string): boolean {
    const running = this.#running.get(callId);
    running?.controller.abort();
    return running !== undefined;
  }

  /** Stops the calls a vanished peer was waiting for. */
  dropConnection(conn: Connection): void {
    for (const { controller, conn: owner } of this.#running.values()) {
      if (owner === conn) controller.abort();
    }
  }

  /** Stops every call in flight. */
  close(): void {
    for (const { controller } of this.#running.values()) controller.abort();
  }

  async #serveCall(message: Message, conn: Connection): Promise<void> {
    const controller = new AbortController();
    let callId: string | undefined;
    try {
      callId = stringField(message, "callId");
      const module = stringField(message, "module");
      const fn = optionalStringField(message, "fn");
      const args = decodeArgs(message.args);
      const sha256 = optionalStringField(message, "sha256");
      const runtime = this.#options.runtime;
      const asked = typeof message.timeoutMs === "number" && message.timeoutMs > 0
        ? message.timeoutMs
        : runtime.timeoutMs;
      if (this.#running.has(callId)) {
        throw new GvmError("BAD_ARGS", "A call with this id is already running");
      }
      this.#running.set(callId, { controller, conn });
      const loaded = sha256 === undefined ? undefined : await this.#resolve(module, sha256, conn);
      const result = await runtime.call({ module, fn, args }, {
        loaded,
        timeoutMs: Math.min(asked, runtime.timeoutMs),
        // A kept instance is a local library-API choice: a peer gets a fresh one, whatever it
        // asks (kept state and memory would otherwise outlive its calls on this node).
        keepInstance: false,
        signal: controller.signal,
        onOutput: (fd, data) => forwardOutput(conn, message.id, fd, data),
      });
      conn.reply(message.id, { types: result.types, values: encodeValues(result.values) });
    } catch (error) {
      conn.replyError(message.id, error);
    } finally {
      if (callId !== undefined && this.#running.get(callId)?.controller === controller) {
        this.#running.delete(callId);
      }
    }
  }

  // The caller named an exact body: use ours if it matches, else GPMD's, else the caller's.
  async #resolve(module: string, sha256: string, conn: Connection): Promise<LoadedModule> {
    if (!SHA256.test(sha256)) throw new GvmError("PROTOCOL_ERROR", "Malformed sha256");
    const catalog = this.#options.runtime.catalog;
    const cached = await catalog.byHash(sha256);
    if (cached) return { ...cached, name: module };
    const local = await catalog.load(module).catch(() => undefined);
    if (local?.sha256 === sha256) return local;
    const fromGpmd = await this.#options.fetchFromGpmd(sha256).catch(() => undefined);
    if (fromGpmd) return await catalog.add({ name: module, sha256, bytes: fromGpmd.bytes });
    const reply = await conn.request({ t: "module.need", sha256 }, { timeoutMs: 60_000 })
      .catch((error) => {
        const err = toGvmError(error);
        throw new GvmError(
          err.code === "PEER_DOWN" ? "PEER_DOWN" : "MODULE_NOT_FOUND",
          `Cannot get ${module} (${sha256.slice(0, 12)}): ${err.message}`,
        );
      });
    return await catalog.add({
      name: module,
      sha256,
      bytes: base64ToBytes(stringField(reply, "data")),
    });
  }

  async #serveModule(message: Message, conn: Connection): Promise<void> {
    try {
      const sha256 = stringField(message, "sha256");
      const loaded = await this.#options.runtime.catalog.byHash(sha256);
      if (!loaded) throw new GvmError("MODULE_NOT_FOUND", `No module with hash ${sha256} here`);
      conn.reply(message.id, { data: bytesToBase64(loaded.bytes) });
    } catch (error) {
      conn.replyError(message.id, error);
    }
  }
}
