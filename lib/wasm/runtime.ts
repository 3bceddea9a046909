import { GvmError } from "../errors.ts";
import type { LoadedModule, ModuleCatalog } from "./catalog.ts";
import type { DirMapping } from "./dir_map.ts";
import type { SandboxPool } from "./sandbox_pool.ts";
import type { ValType } from "./signatures.ts";
import { argvText, type CallArg, toWasmParams, type WasmValue } from "./values.ts";
import type { Entry } from "./sandbox_messages.ts";

/** One call: `module`, `module(args)` (argv) or `module.fn(args)`. */
export interface CallSpec {
  module: string;
  fn?: string;
  args: CallArg[];
}

/** A finished call: its result values with their declared types. */
export interface CallResult {
  types: ValType[];
  values: WasmValue[];
}

/** Per-call options of {@linkcode WasmRuntime.call}. */
export interface CallOptions {
  /** Receives stdout (1) and stderr (2) bytes as they are produced. */
  /** May return a promise to say "wait": the module then blocks until it settles. */
  onOutput?: (fd: 1 | 2, data: Uint8Array) => unknown;
  /** Overrides the runtime's default time limit. */
  timeoutMs?: number;
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
}

const PAGE_BYTES = 65_536;

/**
 * Runs calls: resolves the module, converts arguments to the export's declared types, and
 * hands the call to a sandbox process with its time limit.
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
  readonly #dirs: DirMapping[];

  constructor(options: WasmRuntimeOptions) {
    this.catalog = options.catalog;
    this.pool = options.pool;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#dirs = options.dirs ?? [];
    this.env = options.env ?? [];
    this.#maxPages = Math.floor((options.maxMemoryMiB ?? 256) * 1024 * 1024 / PAGE_BYTES);
  }

  /** Runs `spec`; rejects with a coded {@linkcode GvmError}. */
  async call(spec: CallSpec, options: CallOptions = {}): Promise<CallResult> {
    const loaded = options.loaded ?? await this.catalog.load(spec.module);
    const { entry, types } = planEntry(loaded, spec);
    const values = await this.pool.run(
      {
        type: "run",
        hash: loaded.sha256,
        moduleName: spec.module,
        entry,
        env: [...(options.env ?? this.env)],
        stdin: options.stdin,
        maxPages: this.#maxPages,
        keep: options.keepInstance ?? false,
        dirs: this.#dirs,
      },
      loaded.runnable,
      {
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        onOutput: options.onOutput,
        signal: options.signal,
      },
    );
    return { types, values };
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
