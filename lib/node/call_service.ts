import { GvmError, toGvmError } from "../errors.ts";
import type { StoredModule } from "../protocol/gpmd_types.ts";
import type { Connection, Incoming } from "../protocol/connection.ts";
import { DEFAULT_MAX_MODULE_BYTES, MODULE_TRANSFER_TIMEOUT_MS } from "../limits.ts";
import type { Request } from "../protocol/messages.ts";
import { BodyCollector, sendChunks } from "../protocol/module_transfer.ts";
import type { LoadedModule } from "../wasm/catalog.ts";
import type { WasmRuntime } from "../wasm/runtime.ts";
import { decodeArgs, encodeResults } from "../protocol/wasm_values.ts";
import { OutputBatch } from "./output_batch.ts";
import { isSha256Hex } from "../hash.ts";

/** Options for {@linkcode CallService}. */
export interface CallServiceOptions {
  runtime: WasmRuntime;
  /** Fetches a module body by hash from GPMD's store. */
  fetchFromGpmd: (sha256: string) => Promise<StoredModule>;
  /** Largest module body accepted from a caller. @default {64 MiB} */
  maxModuleBytes?: number;
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
  handle(message: Incoming, conn: Connection): void {
    switch (message.t) {
      case "call":
        this.#serveCall(message, conn);
        return;
      case "cancel": {
        // A peer may cancel only the calls it made.
        const running = this.#running.get(message.callId);
        if (running?.conn === conn) running.controller.abort();
        return;
      }
      case "module.need":
        this.#serveModule(message, conn);
        return;
      case "invalid":
        conn.replyError(message.id, new GvmError("PROTOCOL_ERROR", message.reason));
        return;
      default:
        conn.replyError(
          message.id,
          new GvmError("PROTOCOL_ERROR", `A node does not serve '${message.t}'`),
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

  async #serveCall(message: Request<"call">, conn: Connection): Promise<void> {
    const controller = new AbortController();
    const output = new OutputBatch(conn, message.id);
    let callId: string | undefined;
    try {
      callId = message.callId;
      const { module, fn, sha256 } = message;
      const args = decodeArgs(message.args);
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
        env: message.env,
        stdin: message.stdin,
        signal: controller.signal,
        onOutput: (fd, data) => output.write(fd, data),
      });
      conn.reply<"call">(message.id, {
        values: encodeResults(result.types, result.values),
        out: output.take(),
      });
    } catch (error) {
      output.flush(); // What the call printed before it failed, then the error.
      conn.replyError(message.id, error);
    } finally {
      if (callId !== undefined && this.#running.get(callId)?.controller === controller) {
        this.#running.delete(callId);
      }
    }
  }

  // The caller named an exact body: use ours if it matches, else GPMD's, else the caller's.
  async #resolve(module: string, sha256: string, conn: Connection): Promise<LoadedModule> {
    if (!isSha256Hex(sha256)) throw new GvmError("PROTOCOL_ERROR", "Malformed sha256");
    const catalog = this.#options.runtime.catalog;
    const cached = await catalog.byHash(sha256);
    if (cached) return { ...cached, name: module };
    const local = await catalog.load(module).catch(() => undefined);
    if (local?.sha256 === sha256) return local;
    const fromGpmd = await this.#options.fetchFromGpmd(sha256).catch(() => undefined);
    if (fromGpmd?.sha256 === sha256) {
      return await catalog.add({ name: module, sha256, bytes: fromGpmd.bytes, hashChecked: true });
    }
    const body = new BodyCollector({
      maxBytes: this.#options.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES,
      flag: "--max-module-bytes",
      what: `${module} from the caller`,
    });
    const reply = await conn.request({ t: "module.need", sha256 }, {
      timeoutMs: MODULE_TRANSFER_TIMEOUT_MS,
      onEvent: (event) => body.add(event),
    }).catch((error) => {
      const err = toGvmError(error);
      throw new GvmError(
        err.code === "PEER_DOWN" ? "PEER_DOWN" : "MODULE_NOT_FOUND",
        `Cannot get ${module} (${sha256.slice(0, 12)}): ${err.message}`,
      );
    });
    const bytes = body.finish(reply.size, sha256);
    return await catalog.add({ name: module, sha256, bytes, hashChecked: true });
  }

  // Streams a body the peer lacks, in chunks, then the reply that closes it.
  async #serveModule(message: Request<"module.need">, conn: Connection): Promise<void> {
    try {
      const loaded = await this.#options.runtime.catalog.byHash(message.sha256);
      if (!loaded) {
        throw new GvmError("MODULE_NOT_FOUND", `No module with hash ${message.sha256} here`);
      }
      if (message.id === undefined) return;
      if (!await sendChunks(conn, message.id, loaded.bytes)) return;
      conn.reply<"module.need">(message.id, { size: loaded.bytes.length });
    } catch (error) {
      conn.replyError(message.id, error);
    }
  }
}
