import { secondsText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import type { LoadedModule, ModuleCatalog } from "./catalog.ts";
import type { DirMapping } from "./dir_map.ts";
import { InlineExecutor, type OutputChunk } from "./inline_executor.ts";
import { offerOutput, type PoolRequest, type SandboxPool } from "./sandbox_pool.ts";
import type { ValType } from "./signatures.ts";
import { argvText, type CallArg, toWasmParams, type WasmValue } from "./values.ts";
import { callLabel, type Entry } from "./sandbox_messages.ts";
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_MEMORY_MIB,
  INLINE_BUDGET_MS,
  MAX_CALLS_IN_PROGRESS,
  memoryPages,
} from "../limits.ts";

/** One call: `module`, `module(args)` (argv) or `module.fn(args)`. */
export interface CallSpec {
  /** Module name. */
  module: string;
  /** Export to call; absent runs the module's main (`_start`, else a `main` without params). */
  fn?: string;
  /** The export's arguments, or the program's arguments (argv after the name) without `fn`. */
  args: CallArg[];
}

/** A finished call: its result values with their declared types. */
export interface CallResult {
  /** The declared type of each result. */
  types: ValType[];
  /** The result values, one per type. */
  values: WasmValue[];
}

/** Per-call options of {@linkcode WasmRuntime.call}. */
export interface CallOptions {
  /**
   * Receives stdout (1) and stderr (2) bytes as they are produced. May return a promise to say
   * "wait": the module then blocks until it settles. `data` is the receiver's to keep.
   */
  onOutput?: (fd: 1 | 2, data: Uint8Array) => unknown;
  /** Time limit of this call in milliseconds. @default {the runtime's `timeoutMs`} */
  timeoutMs?: number;
  /** Aborting it cancels the call, which then fails with `CANCELLED`. */
  signal?: AbortSignal;
  /** Runs this exact body (by hash) instead of resolving the name. */
  loaded?: LoadedModule;
  /** The call's environment, `NAME=VALUE` strings. @default {the runtime's `env`} */
  env?: string[];
  /** The call's standard input. @default {empty} */
  stdin?: Uint8Array;
  /**
   * Reuse one instance per sandbox across calls instead of a fresh one each time: faster, but
   * memory and globals persist between calls. @default {false}
   */
  keepInstance?: boolean;
}

/**
 * Where calls run: `inline` tries each on the node's own thread first (bounded by
 * {@linkcode INLINE_BUDGET_MS}) and moves the ones that outlive it to a sandbox process;
 * `process` runs every call in a sandbox process (an OS boundary around every module).
 */
export type Isolation = "inline" | "process";

/** Options for {@linkcode WasmRuntime}. */
export interface WasmRuntimeOptions {
  catalog: ModuleCatalog;
  pool: SandboxPool;
  /** Default per-call time limit. @default {30000} */
  timeoutMs?: number;
  /** Memory cap per instance, MiB. @default {256} */
  maxMemoryMiB?: number;
  /** Host folders modules may see. @default {[]} */
  dirs?: DirMapping[];
  /** Environment of calls that bring none (`--env`), `NAME=VALUE` strings. @default {[]} */
  env?: string[];
  /** @default {"inline"} */
  isolation?: Isolation;
}

/** What inline attempts came to: see {@linkcode WasmRuntime.inlineStats}. */
export interface InlineStats {
  /** Calls tried inline on the node's thread. */
  attempts: number;
  /** Attempts dropped and re-run in a sandbox, by why. */
  dropped: Record<"budget" | "output" | "effect" | "heap", number>;
}

/** Entries remembered as outliving the inline budget; past this the memory starts afresh. */
const MAX_LONG_ENTRIES = 4096;
/**
 * A call remembered as long is tried inline again once in this many calls: a short call that
 * was stalled once (a busy CPU, a GC) comes back, a long one wastes one budget in this many.
 */
const LONG_RETRY_EVERY = 16;

/**
 * Runs calls: resolves the module, converts arguments to the export's declared types, and runs
 * the call inline (a fresh instance on this thread, a few ms at most) or in a sandbox process
 * with its time limit. An inline attempt that outlives its budget, would print more than it may
 * buffer, or would change the world outside its instance is dropped without a trace and the
 * call re-run from scratch in a sandbox, with what is left of its time limit.
 *
 * @example
 * ```ts
 * const result = await runtime.call({ module: "math", fn: "add", args: [one, two] });
 * ```
 */
export class WasmRuntime {
  readonly catalog: ModuleCatalog;
  readonly pool: SandboxPool;
  readonly timeoutMs: number;
  /** Environment of calls that bring none (`--env`). */
  readonly env: readonly string[];
  readonly #maxPages: number;
  readonly isolation: Isolation;
  readonly #dirs: DirMapping[];
  readonly #inline = new InlineExecutor();
  readonly #slice = new InlineSlice();
  // Entries (module hash + export) whose inline attempt was dropped for its budget, an effect or
  // GC types go straight to a sandbox; the count says how many calls went there since.
  readonly #long = new Map<string, number>();
  #inProgress = 0;
  /** Inline attempts so far, and how many of them were dropped for a sandbox, by reason. */
  readonly inlineStats: InlineStats = {
    attempts: 0,
    dropped: { budget: 0, output: 0, effect: 0, heap: 0 },
  };

  constructor(options: WasmRuntimeOptions) {
    this.catalog = options.catalog;
    this.pool = options.pool;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.isolation = options.isolation ?? "inline";
    this.#dirs = options.dirs ?? [];
    this.env = options.env ?? [];
    this.#maxPages = memoryPages(options.maxMemoryMiB ?? DEFAULT_MAX_MEMORY_MIB);
  }

  /** Runs `spec`; rejects with a coded {@linkcode GvmError} (`BUSY` when too many run). */
  async call(spec: CallSpec, options: CallOptions = {}): Promise<CallResult> {
    if (this.#inProgress >= MAX_CALLS_IN_PROGRESS) {
      throw new GvmError(
        "BUSY",
        `${spec.module} not started: ${this.#inProgress} calls are in progress here; try again later`,
      );
    }
    this.#inProgress++;
    try {
      return await this.#call(spec, options);
    } finally {
      this.#inProgress--;
    }
  }

  async #call(spec: CallSpec, options: CallOptions): Promise<CallResult> {
    const started = performance.now();
    const loaded = options.loaded ?? await this.catalog.load(spec.module);
    const { entry, types } = planEntry(loaded, spec);
    const request: PoolRequest = {
      type: "run",
      hash: loaded.sha256,
      moduleName: spec.module,
      entry,
      env: [...(options.env ?? this.env)],
      stdin: options.stdin,
      maxPages: this.#maxPages,
      keep: options.keepInstance ?? false,
      dirs: this.#dirs,
    };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const key = `${loaded.sha256}:${entry.kind === "export" ? entry.fn : ""}`;
    // An attempt is abandoned before its first effect outside the instance (the WASI host's
    // beforeEffect), so mapped folders and stdin can start inline; kept instances live in
    // sandboxes. A call remembered as long that still goes inline is its entry's periodic retry.
    const retry = this.#long.has(key);
    const inline = this.isolation === "inline" && !request.keep &&
      timeoutMs >= INLINE_BUDGET_MS && !this.#stillLong(key);
    if (inline) {
      const compiled = await this.#inline.prepare(loaded, request);
      // Re-checked after each wait: every call waiting for the turn resumes in the same one.
      for (let turn = this.#slice.wait(); turn; turn = this.#slice.wait()) await turn;
      if (options.signal?.aborted) {
        throw new GvmError("CANCELLED", `${callLabel(request)} was cancelled`);
      }
      // Asked again after the wait: of a burst of calls that arrived before the first attempt
      // found the entry long, each would otherwise spend its own budget (up to 50 ms of the
      // node's thread when a termination is lost) proving it again, one turn each.
      if (retry || !this.#long.has(key)) {
        const t0 = performance.now();
        const outcome = this.#inline.run(compiled, request);
        this.#slice.spent(performance.now() - t0);
        this.inlineStats.attempts++;
        if (outcome.kind === "sandbox") this.inlineStats.dropped[outcome.reason]++;
        if (outcome.kind !== "sandbox") {
          this.#long.delete(key);
          await deliver(outcome.output, options.onOutput);
          if (outcome.kind === "failed") throw outcome.error;
          return { types, values: outcome.values };
        }
        // Output past the buffer costs at most 64 KiB of printing to find out: not remembered,
        // so a function that prints little for other arguments stays inline.
        if (outcome.reason !== "output") {
          if (this.#long.size >= MAX_LONG_ENTRIES) this.#long.clear();
          this.#long.set(key, 0);
        }
      }
    }
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) {
      throw new GvmError(
        "TIMEOUT",
        `${callLabel(request)} ran past its ${secondsText(timeoutMs)} limit`,
      );
    }
    const values = await this.pool.run(request, loaded.runnable, {
      timeoutMs: left,
      limitMs: timeoutMs,
      onOutput: options.onOutput,
      signal: options.signal,
    });
    return { types, values };
  }

  // Whether a call remembered as long goes to a sandbox this time (see LONG_RETRY_EVERY).
  #stillLong(key: string): boolean {
    const skipped = this.#long.get(key);
    if (skipped === undefined) return false;
    this.#long.set(key, (skipped + 1) % LONG_RETRY_EVERY);
    return skipped + 1 < LONG_RETRY_EVERY;
  }
}

// Hands buffered output to the caller in order, waiting where the caller asks it to.
async function deliver(
  output: OutputChunk[],
  onOutput: CallOptions["onOutput"],
): Promise<void> {
  if (!onOutput) return;
  for (const { fd, data } of output) {
    // A reader that is gone (a closed pipe) loses the output; the call's result still counts.
    const wait = offerOutput(onOutput, fd, data);
    if (wait) await wait;
  }
}

/**
 * Inline attempts run back to back when many calls arrive at once; each is bounded, but
 * together they would hold the event loop. After {@linkcode INLINE_BUDGET_MS} of inline work
 * the next attempt waits for a turn of the event loop (pings, peers and the prompt go first).
 * Work is summed across turns too, so a turn is sometimes given needlessly: one timer per 5 ms
 * of work costs far less than a timer per call to notice turns passing.
 */
class InlineSlice {
  #used = 0;
  #turn?: Promise<void>;

  spent(ms: number): void {
    this.#used += ms;
  }

  wait(): Promise<void> | undefined {
    if (this.#used < INLINE_BUDGET_MS) return undefined;
    return this.#turn ??= new Promise((resolve) =>
      setTimeout(() => {
        this.#used = 0;
        this.#turn = undefined;
        resolve();
      }, 0)
    );
  }
}

/**
 * Decides what a call runs and the types of its results.
 *
 * @example
 * ```ts
 * planEntry(math, { module: "math", fn: "add", args }); // { entry: { kind: "export", ... } }
 * ```
 */
export function planEntry(
  loaded: LoadedModule,
  spec: CallSpec,
): { entry: Entry; types: ValType[] } {
  const { functions } = loaded.info;
  if (spec.fn === undefined) {
    if (functions.has("_start")) {
      return { entry: { kind: "command", argv: [spec.module, ...argvText(spec.args)] }, types: [] };
    }
    const main = functions.get("main");
    if (main && main.params.length === 0) {
      return {
        entry: { kind: "command", argv: [spec.module, ...argvText(spec.args)] },
        types: main.results,
      };
    }
    throw new GvmError(
      "EXPORT_NOT_FOUND",
      `${spec.module} has no _start or main to run; call an export: ${exportList(loaded)}`,
    );
  }
  const sig = functions.get(spec.fn);
  if (!sig) {
    throw new GvmError(
      "EXPORT_NOT_FOUND",
      `${spec.module} has no export named ${spec.fn}; it exports ${exportList(loaded)}`,
    );
  }
  return {
    entry: { kind: "export", fn: spec.fn, params: toWasmParams(spec.fn, sig, spec.args) },
    types: sig.results,
  };
}

function exportList(loaded: LoadedModule): string {
  const names = [...loaded.info.functions.keys()];
  return names.length > 0 ? names.join(", ") : "no functions";
}
