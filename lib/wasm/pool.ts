import { GvmError } from "../errors.ts";
import type { WasmValue } from "./values.ts";
import type { RunRequest, WorkerReply } from "./worker_protocol.ts";

/** Options for {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Most workers running at once. @default {navigator.hardwareConcurrency} */
  size?: number;
  /** The worker entry module. @default {new URL("./worker.ts", import.meta.url)} */
  workerUrl?: URL;
}

/** Per-call options of {@linkcode WorkerPool.run}. */
export interface PoolRunOptions {
  /** Hard time limit; over it the worker is terminated. */
  timeoutMs: number;
  /** Receives stdout (1) and stderr (2) bytes as they are produced. */
  onOutput?: (fd: 1 | 2, data: Uint8Array) => void;
  /** Cancels the call; the worker running it is terminated. */
  signal?: AbortSignal;
}

/** How often running calls are checked against their deadlines. */
const SWEEP_MS = 20;

interface Job {
  request: Omit<RunRequest, "callId" | "module">;
  module: WebAssembly.Module;
  options: PoolRunOptions;
  resolve: (values: WasmValue[]) => void;
  reject: (error: GvmError) => void;
}

interface Slot {
  worker: Worker;
  hashes: Set<string>;
  job?: Job & { callId: number; deadline: number; onAbort: () => void };
}

/**
 * Web Workers that run wasm calls, so an endless loop can be stopped by terminating its worker.
 * Compiled modules are posted once per worker and then named by hash.
 *
 * @example
 * ```ts
 * using pool = new WorkerPool({ size: 2 });
 * const values = await pool.run(request, module, { timeoutMs: 30_000 });
 * ```
 */
export class WorkerPool {
  readonly #size: number;
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextCallId = 1;
  #closed = false;
  #sweeper?: ReturnType<typeof setInterval>;

  constructor(options: WorkerPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? navigator.hardwareConcurrency ?? 2);
    this.#workerUrl = options.workerUrl ?? new URL("./worker.ts", import.meta.url);
  }

  /** Workers alive now (for leak checks). */
  get workerCount(): number {
    return this.#slots.length;
  }

  /** Starts one worker ahead of the first call, so that call does not pay for it. */
  warm(): void {
    if (this.#slots.length === 0 && !this.#closed) this.#slots.push(this.#spawn());
  }

  /** Runs one call; rejects with `TIMEOUT`, `CANCELLED` or the call's own error. */
  run(
    request: Job["request"],
    module: WebAssembly.Module,
    options: PoolRunOptions,
  ): Promise<WasmValue[]> {
    if (this.#closed) return Promise.reject(new GvmError("INTERNAL", "Worker pool is closed"));
    if (options.signal?.aborted) {
      return Promise.reject(new GvmError("CANCELLED", `${request.moduleName} was cancelled`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, module, options, resolve, reject });
      this.#pump();
    });
  }

  /** Terminates every worker; queued and running calls fail. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const job of this.#queue.splice(0)) {
      job.reject(new GvmError("CANCELLED", "The node is shutting down"));
    }
    for (const slot of this.#slots.splice(0)) {
      if (slot.job) this.#finish(slot, new GvmError("CANCELLED", "The node is shutting down"));
      slot.worker.terminate();
    }
  }

  // One coarse timer for every deadline: a timer per call costs ~10 µs on the hot path.
  #sweepDeadlines(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = performance.now();
      for (const slot of [...this.#slots]) {
        const job = slot.job;
        if (job && now >= job.deadline) {
          this.#replace(
            slot,
            new GvmError(
              "TIMEOUT",
              `${job.request.moduleName} ran past its ${job.options.timeoutMs} ms limit`,
            ),
          );
        }
      }
    }, SWEEP_MS);
    // Running workers keep the process alive; the sweeper alone must not.
    Deno.unrefTimer(this.#sweeper);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot && this.#slots.length < this.#size) {
        slot = this.#spawn();
        this.#slots.push(slot);
      }
      if (!slot) return;
      this.#start(slot, this.#queue.shift()!);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(this.#workerUrl, { type: "module" });
    const slot: Slot = { worker, hashes: new Set() };
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#onReply(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#replace(slot, new GvmError("INTERNAL", `Worker failed: ${event.message}`));
    };
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    const callId = this.#nextCallId++;
    const { request, options } = job;
    const deadline = performance.now() + options.timeoutMs;
    this.#sweepDeadlines();
    const onAbort = () =>
      this.#replace(slot, new GvmError("CANCELLED", `${request.moduleName} was cancelled`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    slot.job = { ...job, callId, deadline, onAbort };
    const known = slot.hashes.has(request.hash);
    slot.hashes.add(request.hash);
    const message: RunRequest = {
      ...request,
      type: "run",
      callId,
      module: known ? undefined : job.module,
    };
    slot.worker.postMessage(message);
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    const job = slot.job;
    if (!job || job.callId !== reply.callId) return;
    if (reply.type === "out") {
      job.options.onOutput?.(reply.fd, reply.data);
    } else if (reply.type === "done") {
      this.#finish(slot, undefined, reply.values);
      this.#pump();
    } else {
      this.#finish(slot, new GvmError(reply.code, reply.message));
      this.#pump();
    }
  }

  #finish(slot: Slot, error?: GvmError, values: WasmValue[] = []): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    job.options.signal?.removeEventListener("abort", job.onAbort);
    if (error) job.reject(error);
    else job.resolve(values);
  }

  // A worker stuck in wasm cannot be interrupted, only terminated; a fresh one takes its place.
  #replace(slot: Slot, error: GvmError): void {
    this.#finish(slot, error);
    slot.worker.terminate();
    const index = this.#slots.indexOf(slot);
    if (index !== -1) this.#slots.splice(index, 1);
    this.#pump();
  }
}
