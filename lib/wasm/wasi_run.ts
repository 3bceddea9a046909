import { mibText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import type { DirMapping } from "./dir_map.ts";
import type { ImportEntry } from "./module_reader.ts";
import type { WasmValue } from "./values.ts";
import { callLabel, type RunRequest } from "./sandbox_messages.ts";
import { AbortTrap, assemblyScriptImports } from "./wasi/assemblyscript.ts";
import { FdTable, preopenEntry, stdioEntries } from "./wasi/fd_table.ts";
import { TimeOverlay } from "./wasi/filestat.ts";
import { wasiImports } from "./wasi/imports.ts";
import { GuestMemory } from "./wasi/memory.ts";
import { WasiExit } from "./wasi/proc_calls.ts";
import type { WasiCall, WasiState } from "./wasi/state.ts";
import { EMPTY_STDIN, type StdinSource } from "./wasi/stdin.ts";
import { WASM_PAGE_BYTES } from "../limits.ts";

export { bytesStdin, EMPTY_STDIN, processStdin, type StdinSource } from "./wasi/stdin.ts";

const encoder = new TextEncoder();

type Write = (fd: 1 | 2, data: Uint8Array) => void;

/** A module instance with the WASI host it was linked against. */
export interface WasiInstance {
  instance: WebAssembly.Instance;
  wasi: WasiHost;
}

/** Per-call options of {@linkcode WasiHost.prepare}. */
export interface PrepareOptions {
  /** The call's standard input. @default {EMPTY_STDIN} */
  stdin?: StdinSource;
  /**
   * Called before any WASI effect outside the instance that cannot be undone (file-system
   * changes, writes to files, reads of the real stdin) and before a poll_oneoff sleep (it would
   * block the thread); throwing abandons the call there. Output to stdout/stderr is no effect.
   */
  beforeEffect?: () => void;
}

const AS_IMPORTS = new Set(["abort", "trace", "seed"]);

/**
 * One WASI preview 1 host per sandbox (or thread), re-aimed at each call: argv, environment,
 * stdin and output of the call's own, and the mapped folders as preopened descriptors over the
 * real file system, confined to each folder. The import object is built once; re-aiming a call
 * only swaps a few fields, whatever the folders hold.
 *
 * @example
 * ```ts
 * const host = new WasiHost();
 * host.prepare(request, (fd, data) => {}, [{ host: "/srv/data", guest: "/data" }]);
 * const values = runEntry(host.instantiate(module, "files", readModule(bytes).imports), request);
 * ```
 */
export class WasiHost {
  readonly #state: WasiState;
  readonly #imports: WebAssembly.Imports;
  readonly #checked = new WeakSet<WebAssembly.Module>();
  readonly #initialized = new WeakSet<WebAssembly.Instance>();

  constructor() {
    const call: WasiCall = { args: [], env: [], write: () => {}, stdin: EMPTY_STDIN };
    this.#state = {
      memory: new GuestMemory(),
      fds: new FdTable(),
      times: new TimeOverlay(),
      call,
    };
    const trace = (line: string) => this.#state.call.write(2, encoder.encode(line));
    this.#imports = {
      wasi_snapshot_preview1: wasiImports(this.#state),
      env: assemblyScriptImports(this.#state.memory, trace),
    } as WebAssembly.Imports;
  }

  /** The hook run before each effect of the current call (see {@linkcode PrepareOptions}). */
  get beforeEffect(): (() => void) | undefined {
    return this.#state.call.beforeEffect;
  }

  set beforeEffect(hook: (() => void) | undefined) {
    this.#state.call.beforeEffect = hook;
  }

  /**
   * Points the host at a new call: argv, environment, output, mapped folders (preopened as 3,
   * 4, ... in order), stdin and the effect hook. Files the last call left open are closed.
   */
  prepare(
    request: Pick<RunRequest, "entry" | "env" | "moduleName">,
    write: Write,
    dirs: readonly DirMapping[] = [],
    options: PrepareOptions = {},
  ): void {
    const call = this.#state.call;
    call.args = request.entry.kind === "command" ? request.entry.argv : [request.moduleName];
    call.env = request.env;
    call.write = write;
    call.stdin = options.stdin ?? EMPTY_STDIN;
    call.beforeEffect = options.beforeEffect;
    const preopens = dirs.map((dir) => preopenEntry(dir.host, dir.guest));
    this.#state.fds.reset([...stdioEntries(), ...preopens]);
  }

  /** Closes files the call left open (also done by the next {@linkcode prepare}). */
  release(): void {
    this.#state.fds.reset([]);
  }

  // V8's link error names only the import's module; say which function is missing.
  #checkImports(
    module: WebAssembly.Module,
    moduleName: string,
    needs: readonly ImportEntry[],
    extra: WebAssembly.Imports,
  ): void {
    if (this.#checked.has(module)) return;
    const wasi = this.#imports.wasi_snapshot_preview1 as Record<string, unknown>;
    for (const { module: from, name, kind } of needs) {
      if (Object.hasOwn(extra, from)) continue;
      const provided = kind === "function" &&
        ((from === "wasi_snapshot_preview1" && Object.hasOwn(wasi, name)) ||
          (from === "env" && AS_IMPORTS.has(name)));
      if (!provided) {
        throw new GvmError(
          "BAD_MODULE",
          `${moduleName} imports ${kind} ${from}.${name}, which this VM does not provide (only WASI preview 1 functions and AssemblyScript's env.abort, env.trace, env.seed)`,
        );
      }
    }
    this.#checked.add(module);
  }

  /**
   * A fresh instance of `module` linked to this host (call {@linkcode prepare} first).
   * `needs` are the module's imports as {@linkcode readModule} read them from its bytes; one
   * this host does not provide is refused with `BAD_MODULE` naming it. `extra` adds import
   * modules of the VM's own (the inline executor's pooled memory).
   */
  instantiate(
    module: WebAssembly.Module,
    moduleName: string,
    needs: readonly ImportEntry[],
    extra?: WebAssembly.Imports,
  ): WasiInstance {
    this.#checkImports(module, moduleName, needs, extra ?? {});
    const imports = extra ? { ...this.#imports, ...extra } : this.#imports;
    try {
      const instance = new WebAssembly.Instance(module, imports);
      this.bind(instance);
      return { instance, wasi: this };
    } catch (error) {
      throw new GvmError(
        error instanceof WebAssembly.RuntimeError ? "TRAP" : "BAD_MODULE",
        `Cannot instantiate ${moduleName}: ${(error as Error).message}`,
      );
    }
  }

  /** Aims the WASI functions at `instance`'s memory (a kept instance is re-bound per call). */
  bind(instance: WebAssembly.Instance): void {
    const memory = instance.exports.memory;
    this.#state.memory.bind(memory instanceof WebAssembly.Memory ? memory : undefined);
  }

  /** Runs a command's `_start`; resolves to its exit code (0 when it returns). */
  start(instance: WebAssembly.Instance): number {
    this.bind(instance);
    try {
      (instance.exports._start as () => void)();
      return 0;
    } catch (error) {
      if (error instanceof WasiExit) return error.code;
      throw error;
    }
  }

  /** Runs a reactor's `_initialize` once per instance. */
  initialize(instance: WebAssembly.Instance): void {
    this.bind(instance);
    if (this.#initialized.has(instance)) return;
    this.#initialized.add(instance);
    const init = instance.exports._initialize;
    if (typeof init === "function") (init as () => void)();
  }
}

/**
 * Runs the call's entry on `instance`: the WASI command (`_start`, else `main`) or one export.
 * Traps become `TRAP`, a non-zero exit `EXIT_CODE` carrying the code (`exitCode`).
 *
 * @example
 * ```ts
 * host.prepare(request, write);
 * const values = runEntry(host.instantiate(module, "math", readModule(bytes).imports), request);
 * ```
 */
export function runEntry(
  { instance, wasi }: WasiInstance,
  request: Pick<RunRequest, "entry" | "moduleName" | "maxPages">,
): WasmValue[] {
  const exports = instance.exports;
  const entry = request.entry;
  const label = callLabel(request);
  try {
    if (entry.kind === "command") {
      if (typeof exports._start === "function") {
        const code = wasi.start(instance);
        if (code !== 0) throw exitError(label, code);
        return [];
      }
      wasi.initialize(instance);
      return toValues((exports.main as () => unknown)());
    }
    wasi.initialize(instance);
    const fn = exports[entry.fn] as (...args: unknown[]) => unknown;
    const args: unknown[] = [];
    for (const param of entry.params) {
      if (param.type === "string") args.push(...copyIn(instance, request.moduleName, param.bytes));
      else args.push(param.value);
    }
    return toValues(fn(...args));
  } catch (error) {
    if (atMemoryCap(instance, request.maxPages, error)) {
      throw new GvmError(
        "MEMORY_LIMIT",
        `${label} stopped at the ${mibText(request.maxPages)} memory cap (--max-memory): ${
          (error as Error).message
        }`,
      );
    }
    throw describeFailure(label, error);
  }
}

function exitError(label: string, code: number): GvmError {
  return new GvmError("EXIT_CODE", `${label} exited with code ${code}`, { exitCode: code });
}

// A trap right at the cap is most likely the module failing to grow: say so, not just "trap".
function atMemoryCap(instance: WebAssembly.Instance, maxPages: number, error: unknown): boolean {
  if (error instanceof RangeError && /allocate|memory/i.test(error.message)) return true;
  const memory = instance.exports.memory;
  return error instanceof WebAssembly.RuntimeError && memory instanceof WebAssembly.Memory &&
    memory.buffer.byteLength >= 0.9 * maxPages * WASM_PAGE_BYTES;
}

function toValues(result: unknown): WasmValue[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result as WasmValue[] : [result as WasmValue];
}

function copyIn(instance: WebAssembly.Instance, moduleName: string, bytes: Uint8Array): number[] {
  const exports = instance.exports;
  const alloc = (exports.alloc ?? exports.malloc) as ((size: number) => number) | undefined;
  const memory = exports.memory as WebAssembly.Memory | undefined;
  if (typeof alloc !== "function" || !(memory instanceof WebAssembly.Memory)) {
    throw new GvmError(
      "BAD_ARGS",
      `${moduleName} takes a string but does not export memory and alloc (or malloc)`,
    );
  }
  const pointer = alloc(Math.max(bytes.length, 1)) >>> 0;
  if (pointer === 0 || pointer + bytes.length > memory.buffer.byteLength) {
    throw new GvmError(
      "BAD_ARGS",
      `${moduleName}'s allocator gave no room for ${bytes.length} bytes`,
    );
  }
  new Uint8Array(memory.buffer, pointer, bytes.length).set(bytes);
  return [pointer, bytes.length];
}

function describeFailure(label: string, error: unknown): GvmError {
  if (error instanceof GvmError) return error;
  if (error instanceof WasiExit) {
    return error.code === 0
      ? new GvmError("EXIT_CODE", `${label} exited with code 0 before returning a value`, {
        exitCode: 0,
      })
      : exitError(label, error.code);
  }
  if (error instanceof AbortTrap) {
    return new GvmError("TRAP", `${label} aborted: ${error.message}`);
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return new GvmError("TRAP", `${label} trapped: ${error.message}`);
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new GvmError("TRAP", `${label} trapped: call stack exhausted`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GvmError("TRAP", `${label} failed: ${message}`);
}
