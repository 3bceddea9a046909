import { secondsText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import type { DirMapping } from "./dir_map.ts";
import { callLabel, type RunRequest, type SandboxReply } from "./sandbox_messages.ts";
import { sandboxCommand, SandboxProcess } from "./sandbox_process.ts";
import { encodeSandboxMessage } from "./sandbox_protocol.ts";
import type { WasmValue } from "./values.ts";
import { MAX_QUEUED_CALLS } from "../limits.ts";

/** Options for {@linkcode SandboxPool}. */
export interface SandboxPoolOptions {
  /** Most sandbox processes running at once. @default {min(CPUs, 4)} */
  size?: number;
  /** Host folders calls may map; the sandboxes get permission for these only. @default {[]} */
  dirs?: readonly DirMapping[];
  /** Calls that may wait for a sandbox; past it calls fail at once with `BUSY`. */
  maxQueued?: number;
  /** Sandboxes idle this long (ms) are stopped, so an idle node is one process. @default {Infinity} */
  idleMs?: number;
}

/** Per-call options of {@linkcode SandboxPool.run}. */
export interface PoolRunOptions {
  /** Hard time limit, counted from when the call is queued; over it the sandbox is killed. */
  timeoutMs: number;
  /** The limit a `TIMEOUT` message names, when the call used part of it elsewhere first. */
  limitMs?: number;
  /** Receives stdout (1) and stderr (2) bytes as they are produced. */
  /** May return a promise: the sandbox is not read (so its module waits) until it settles. */
  onOutput?: (fd: 1 | 2, data: Uint8Array) => unknown;
  /** Cancels the call, queued or running (a running call's sandbox is killed). */
  signal?: AbortSignal;
}

/** The request as the runtime builds it; the pool numbers it. */
export type PoolRequest = Omit<RunRequest, "callId">;

/**
 * Hands one chunk of a call's output to `onOutput`. Returns what to wait on when it asks to
 * ("wait", a promise), settled quietly; a reader that is gone (a closed pipe) fails nothing.
 *
 * @example
 * ```ts
 * await offerOutput((fd, data) => Deno.stdout.write(data), 1, bytes);
 * ```
 */
export function offerOutput(
  onOutput: PoolRunOptions["onOutput"],
  fd: 1 | 2,
  data: Uint8Array,
): Promise<void> | undefined {
  try {
    const wait = onOutput?.(fd, data);
    if (wait instanceof Promise) return wait.then(() => {}, () => {});
  } catch {
    // The reader of the output is gone (a closed pipe); the call goes on regardless.
  }
  return undefined;
}

/** How often calls are checked against their deadlines. */
const SWEEP_MS = 20;

interface Job {
  request: PoolRequest;
  body: Uint8Array;
  options: PoolRunOptions;
  label: string;
  deadline: number;
  resolve: (values: WasmValue[]) => void;
  reject: (error: GvmError) => void;
  onAbort: () => void;
  callId?: number;
}

interface Slot {
  sandbox: SandboxProcess;
  hashes: Set<string>;
  job?: Job;
  /** When its last call ended (or it started). */
  idleSince: number;
}

/**
 * Sandbox processes that run wasm calls, one call each at a time. A call over its time limit, or
 * cancelled, is stopped by killing its process; a fresh one takes its place. Module bodies are
 * sent once per process and then named by hash.
 *
 * @example
 * ```ts
 * using pool = new SandboxPool({ size: 2 });
 * const values = await pool.run(request, bytes, { timeoutMs: 30_000 });
 * ```
 */
export class SandboxPool {
  readonly #size: number;
  readonly #maxQueued: number;
  readonly #idleMs: number;
  readonly #command: string[];
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextCallId = 1;
  #closed = false;
  #sweeper?: ReturnType<typeof setInterval>;

  constructor(options: SandboxPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? Math.min(navigator.hardwareConcurrency ?? 2, 4));
    this.#command = sandboxCommand(options.dirs ?? []);
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_CALLS;
    this.#idleMs = options.idleMs ?? Infinity;
  }

  /** Calls handed to sandbox processes so far (to tell where calls ran). */
  get callCount(): number {
    return this.#nextCallId - 1;
  }

  /** Most calls running at once (`Node.map` places calls by it). */
  get size(): number {
    return this.#size;
  }

  /** Sandbox processes alive now (for leak checks). */
  get sandboxCount(): number {
    return this.#slots.length;
  }

  /** Starts one sandbox ahead of the first call, so that call does not pay for it. */
  warm(): void {
    if (this.#slots.length === 0 && !this.#closed) this.#slots.push(this.#spawn());
    if (this.#idleMs !== Infinity) this.#sweepDeadlines();
  }

  /** Runs one call; rejects with `TIMEOUT`, `CANCELLED`, `BUSY` or the call's own error. */
  run(request: PoolRequest, body: Uint8Array, options: PoolRunOptions): Promise<WasmValue[]> {
    const label = callLabel(request);
    if (this.#closed) return Promise.reject(new GvmError("CANCELLED", "The node is shutting down"));
    if (options.signal?.aborted) {
      return Promise.reject(new GvmError("CANCELLED", `${label} was cancelled`));
    }
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new GvmError(
          "BUSY",
          `${label} not started: ${this.#queue.length} calls already wait here; try again later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        request,
        body,
        options,
        label,
        deadline: performance.now() + options.timeoutMs,
        resolve,
        reject,
        onAbort: () => this.#stop(job, new GvmError("CANCELLED", `${label} was cancelled`)),
      };
      options.signal?.addEventListener("abort", job.onAbort, { once: true });
      this.#queue.push(job);
      this.#sweepDeadlines();
      this.#pump();
    });
  }

  /** Kills every sandbox; queued and running calls fail. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    const shutdown = new GvmError("CANCELLED", "The node is shutting down");
    for (const job of this.#queue.splice(0)) this.#settle(job, shutdown);
    for (const slot of this.#slots.splice(0)) {
      if (slot.job) this.#settle(slot.job, shutdown);
      slot.sandbox.kill();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed) {
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
    const slot = { hashes: new Set<string>(), idleSince: performance.now() } as Slot;
    slot.sandbox = new SandboxProcess(
      this.#command,
      (reply) => this.#onReply(slot, reply),
      (why) => this.#onExit(slot, why),
    );
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    job.callId = this.#nextCallId++;
    slot.job = job;
    const known = slot.hashes.has(job.request.hash);
    slot.hashes.add(job.request.hash);
    const message: RunRequest = { ...job.request, callId: job.callId };
    slot.sandbox.send(encodeSandboxMessage(message, known ? undefined : job.body));
  }

  #onReply(slot: Slot, reply: SandboxReply): void | Promise<void> {
    const job = slot.job;
    if (!job || job.callId !== reply.callId) return;
    if (reply.type === "out") return offerOutput(job.options.onOutput, reply.fd, reply.data);
    slot.job = undefined;
    slot.idleSince = performance.now();
    if (reply.type === "done") this.#settle(job, undefined, reply.values);
    else this.#settle(job, new GvmError(reply.code, reply.message, { exitCode: reply.exitCode }));
    this.#pump();
  }

  #onExit(slot: Slot, why: string): void {
    const index = this.#slots.indexOf(slot);
    if (index !== -1) this.#slots.splice(index, 1);
    const job = slot.job;
    if (job) {
      slot.job = undefined;
      this.#settle(job, new GvmError("INTERNAL", `The sandbox running ${job.label} ${why}`));
    }
    this.#pump();
  }

  // Stops a job wherever it is: dropped from the queue, or its sandbox killed.
  #stop(job: Job, error: GvmError): void {
    const queued = this.#queue.indexOf(job);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
      this.#settle(job, error);
      return;
    }
    const slot = this.#slots.find((s) => s.job === job);
    if (!slot) return;
    slot.job = undefined;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    slot.sandbox.kill();
    this.#settle(job, error);
    this.#pump();
  }

  #settle(job: Job, error?: GvmError, values: WasmValue[] = []): void {
    job.options.signal?.removeEventListener("abort", job.onAbort);
    if (error) job.reject(error);
    else job.resolve(values);
  }

  // One coarse timer for every deadline: a timer per call costs ~10 µs on the hot path.
  #sweepDeadlines(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = performance.now();
      const running = this.#slots.flatMap((slot) => slot.job ? [slot.job] : []);
      for (const job of [...this.#queue, ...running]) {
        if (now >= job.deadline) {
          const limit = secondsText(job.options.limitMs ?? job.options.timeoutMs);
          this.#stop(job, new GvmError("TIMEOUT", `${job.label} ran past its ${limit} limit`));
        }
      }
      for (const slot of [...this.#slots]) {
        if (!slot.job && now - slot.idleSince >= this.#idleMs) {
          this.#slots.splice(this.#slots.indexOf(slot), 1);
          slot.sandbox.kill();
        }
      }
      // Nothing left to watch: an idle node runs no timer (run and warm start it again).
      const idle = this.#queue.length === 0 && this.#slots.every((slot) => !slot.job);
      if (idle && (this.#idleMs === Infinity || this.#slots.length === 0)) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, SWEEP_MS);
    // Running sandboxes keep the process alive; the sweeper alone must not.
    Deno.unrefTimer(this.#sweeper);
  }
}
