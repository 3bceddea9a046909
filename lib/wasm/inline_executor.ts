import type vm from "node:vm";
import { GvmError } from "../errors.ts";
import type { LoadedModule } from "./catalog.ts";
import { boundedExports } from "./bounded_exports.ts";
import { usesGcTypes } from "./gc_types.ts";
import { importMemory, POOLED_MEMORY_IMPORT } from "./memory_import.ts";
import { type ImportEntry, readModule } from "./module_reader.ts";
import { MemoryPool } from "./memory_pool.ts";
import { OutputCoalescer } from "./output_coalescer.ts";
import type { PoolRequest } from "./sandbox_pool.ts";
import type { WasmValue } from "./values.ts";
import { bytesStdin, runEntry, WasiHost } from "./wasi_run.ts";
import {
  INLINE_BUDGET_MS,
  INLINE_FINISH_BY_MS,
  INLINE_OUTPUT_CAP_BYTES,
  INLINE_TERMINATION_WAIT_MS,
} from "../limits.ts";

/** Never notified: `Atomics.wait` on it sleeps until the vm's termination wakes it. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
/** Compiled modules kept for inline calls (each holds its machine code). */
const MAX_COMPILED = 64;

/** One chunk of a call's stdout (1) or stderr (2). */
export interface OutputChunk {
  fd: 1 | 2;
  data: Uint8Array;
}

/**
 * How an inline attempt ended: with values or a failure of the module's own (each with the
 * output it printed), or "sandbox" when it must be re-run from scratch in a sandbox process.
 */
export type InlineOutcome =
  | { kind: "done"; values: WasmValue[]; output: OutputChunk[] }
  | { kind: "failed"; error: GvmError; output: OutputChunk[] }
  | { kind: "sandbox"; reason: "budget" | "output" | "effect" | "heap" };

/** A module compiled for inline calls. */
export interface Compiled {
  module: WebAssembly.Module;
  /** The module's imports, as read from its bytes (before the pooled memory was added). */
  imports: readonly ImportEntry[];
  /** The memory's limits when it is imported from the pool. */
  memory?: { initial: number; maximum: number };
  /** Exports proven to finish within a few thousand instructions (no watchdog needed). */
  bounded: Set<string>;
  /** GC types: the module could fill the node's own heap, so it runs only in sandboxes. */
  heap: boolean;
}

// Thrown from host callbacks to abandon an attempt; `runEntry` passes GvmErrors through.
class Abandon extends GvmError {
  constructor(readonly reason: "output" | "effect") {
    super("INTERNAL", `inline attempt abandoned (${reason})`);
  }
}

/**
 * Runs calls on the node's own thread, each in a fresh instance, for at most
 * {@linkcode INLINE_BUDGET_MS}; only calls done within {@linkcode INLINE_FINISH_BY_MS} count. Its output is buffered and handed back with the outcome, so an
 * attempt that is abandoned leaves no trace and the call can be re-run elsewhere.
 *
 * @example
 * ```ts
 * const inline = new InlineExecutor();
 * const outcome = inline.run(await inline.prepare(loaded, request), request);
 * ```
 */
export class InlineExecutor {
  readonly #host = new WasiHost();
  readonly #memories = new MemoryPool();
  readonly #compiled = new Map<string, Promise<Compiled>>();
  // Made for the first call that needs a watchdog.
  #watchdog?: { context: vm.Context; script: vm.Script };
  #job: () => void = () => {};

  /**
   * Compiles `loaded` for inline calls, once per content (off the node's thread), and loads the
   * watchdog when `request` needs one.
   */
  async prepare(loaded: LoadedModule, request: PoolRequest): Promise<Compiled> {
    const compiled = await this.#compile(loaded);
    if (!direct(compiled, request)) await this.#loadWatchdog();
    return compiled;
  }

  // node:vm and its part of Deno's Node layer cost ~3 MiB: loaded only once a call needs them.
  async #loadWatchdog(): Promise<void> {
    if (this.#watchdog) return;
    const { default: vm } = await import("node:vm");
    this.#watchdog ??= {
      context: vm.createContext({ run: () => this.#job() }),
      script: new vm.Script("run()", { filename: "gvm-inline-call" }),
    };
  }

  #compile(loaded: LoadedModule): Promise<Compiled> {
    let compiled = this.#compiled.get(loaded.sha256);
    if (compiled) {
      // Most recently used last, so the oldest is the one evicted.
      this.#compiled.delete(loaded.sha256);
    } else {
      compiled = compile(loaded);
      compiled.catch(() => this.#compiled.delete(loaded.sha256));
    }
    this.#compiled.set(loaded.sha256, compiled);
    if (this.#compiled.size > MAX_COMPILED) {
      this.#compiled.delete(this.#compiled.keys().next().value!);
    }
    return compiled;
  }

  /**
   * One attempt at `request`, stopped at {@linkcode INLINE_BUDGET_MS} (call
   * {@linkcode prepare} first; give it only calls whose own limit is at least that).
   */
  run(compiled: Compiled, request: PoolRequest): InlineOutcome {
    if (compiled.heap) return { kind: "sandbox", reason: "heap" };
    const output: OutputChunk[] = [];
    // Lines gathered into few chunks, each later one write to the caller (or one frame).
    const gathered = new OutputCoalescer((fd, data) => output.push({ fd, data }));
    let buffered = 0;
    let abandoned: Abandon | undefined;
    const abandon = (reason: "output" | "effect"): never => {
      abandoned ??= new Abandon(reason);
      throw abandoned;
    };
    const write = (fd: 1 | 2, data: Uint8Array) => {
      if (abandoned) abandon(abandoned.reason);
      buffered += data.length;
      if (buffered > INLINE_OUTPUT_CAP_BYTES) abandon("output");
      gathered.write(fd, data);
    };
    const host = this.#host;
    host.prepare(request, write, request.dirs, {
      stdin: request.stdin ? bytesStdin(request.stdin) : undefined,
      // The WASI host calls this before any effect outside the instance that cannot be undone.
      beforeEffect: () => abandon("effect"),
    });
    const limits = compiled.memory;
    const memory = limits ? this.#memories.take(limits.initial, limits.maximum) : undefined;
    let values: WasmValue[] = [];
    let error: GvmError | undefined;
    const plain = direct(compiled, request);
    const started = performance.now();
    let lostTermination = false;
    this.#job = () => {
      try {
        const extra = memory ? { [POOLED_MEMORY_IMPORT.module]: { memory } } : undefined;
        values = runEntry(
          host.instantiate(compiled.module, request.moduleName, compiled.imports, extra),
          request,
        );
      } catch (thrown) {
        error = thrown as GvmError;
      }
      // Too close to the deadline to return safely: wait for the termination (see the constant),
      // asleep, so the watchdog thread gets the CPU (on one CPU a busy wait delays it).
      if (!plain && performance.now() - started >= INLINE_FINISH_BY_MS) {
        const giveUp = performance.now() + INLINE_TERMINATION_WAIT_MS;
        while (performance.now() < giveUp) Atomics.wait(SLEEP_CELL, 0, 0, INLINE_BUDGET_MS);
        lostTermination = true;
      }
    };
    try {
      if (plain) this.#job();
      else {
        const watchdog = this.#watchdog;
        if (!watchdog) throw new GvmError("INTERNAL", "inline call without its watchdog loaded");
        watchdog.script.runInContext(watchdog.context, { timeout: INLINE_BUDGET_MS });
      }
    } catch (thrown) {
      // The only thing escaping the job is the vm's own termination at the budget.
      if ((thrown as { code?: string }).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw thrown;
      return { kind: "sandbox", reason: "budget" };
    } finally {
      this.#job = () => {};
      // Files the attempt opened are closed, and no hook or output callback outlives it.
      host.release();
      host.beforeEffect = undefined;
      if (memory && limits) this.#memories.give(memory, limits.initial, limits.maximum);
    }
    // A module may catch the exception we threw and go on; the attempt is void all the same.
    if (abandoned) return { kind: "sandbox", reason: abandoned.reason };
    // Past its budget with no termination seen: whatever it computed, it counts as too long.
    if (lostTermination) return { kind: "sandbox", reason: "budget" };
    gathered.flush();
    if (error) return { kind: "failed", error, output };
    return { kind: "done", values, output };
  }
}

// A call proven to finish in a few thousand instructions needs no watchdog (and so has no part
// in the vm's race); strings need the module's allocator, which is not proven.
function direct(compiled: Compiled, request: PoolRequest): boolean {
  const entry = request.entry;
  return entry.kind === "export" && compiled.bounded.has(entry.fn) &&
    entry.params.every((param) => param.type !== "string");
}

// One read of the module (the catalog's) serves the memory import, the proof and the GC check.
async function compile(loaded: LoadedModule): Promise<Compiled> {
  const read = loaded.runnableModule ?? readModule(loaded.runnable);
  const runnable = read.bytes;
  const pooled = importMemory(read);
  // Asynchronous compilation runs on V8's background threads, not the node's event loop.
  const module = await WebAssembly.compile((pooled?.bytes ?? runnable) as Uint8Array<ArrayBuffer>);
  return {
    module,
    imports: read.imports,
    memory: pooled ? { initial: pooled.initial, maximum: pooled.maximum } : undefined,
    bounded: boundedExports(read),
    heap: usesGcTypes(read),
  };
}
