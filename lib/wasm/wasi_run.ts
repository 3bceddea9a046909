import {
  ConsoleStdout,
  type Fd,
  File,
  OpenFile,
  WASI,
  WASIProcExit,
} from "@bjorn3/browser_wasi_shim";
import { GvmError } from "../errors.ts";
import type { WasmValue } from "./values.ts";
import type { RunRequest } from "./sandbox_messages.ts";

const encoder = new TextEncoder();

type Write = (fd: 1 | 2, data: Uint8Array) => void;

/** A module instance with the WASI host it was linked against. */
export interface WasiInstance {
  instance: WebAssembly.Instance;
  wasi: WASI;
}

/**
 * One WASI preview 1 host per sandbox, re-aimed at each call: no files, argv and environment of
 * the call's own, stdout/stderr handed to the call's `write` as they are produced. Building the
 * shim's import object costs more than instantiating a small module, so it is built once.
 *
 * @example
 * ```ts
 * const host = new WasiHost();
 * const instance = host.instantiate(module, request, (fd, data) => {});
 * ```
 */
export class WasiHost {
  readonly wasi: WASI;
  readonly #stdin = new OpenFile(new File([]));
  readonly #stdout: ConsoleStdout;
  readonly #stderr: ConsoleStdout;
  readonly #imports: WebAssembly.Imports;
  #write: Write = () => {};
  readonly #checked = new WeakSet<WebAssembly.Module>();

  constructor() {
    this.#stdout = new ConsoleStdout((data) => this.#write(1, data.slice()));
    this.#stderr = new ConsoleStdout((data) => this.#write(2, data.slice()));
    this.wasi = new WASI([], [], [], { debug: false });
    fixArgSizes(this.wasi);
    this.#imports = { wasi_snapshot_preview1: this.wasi.wasiImport } as WebAssembly.Imports;
  }

  /** Points the host at a new call (argv, environment, output). */
  prepare(
    request: Pick<RunRequest, "entry" | "env" | "moduleName">,
    write: Write,
    preopens: Fd[] = [],
  ): void {
    this.wasi.args = request.entry.kind === "command" ? request.entry.argv : [request.moduleName];
    this.wasi.env = request.env;
    this.#stdin.file_pos = 0n;
    // A module may close or renumber descriptors; every call starts with the three standard ones.
    this.wasi.fds = [this.#stdin, this.#stdout, this.#stderr, ...preopens];
    this.#write = write;
  }

  // V8's link error names only the import's module; say which function is missing.
  #checkImports(module: WebAssembly.Module, moduleName: string, extra: WebAssembly.Imports): void {
    if (this.#checked.has(module)) return;
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      if (Object.hasOwn(extra, from)) continue;
      const provided = from === "wasi_snapshot_preview1" && kind === "function" &&
        Object.hasOwn(this.wasi.wasiImport, name);
      if (!provided) {
        throw new GvmError(
          "BAD_MODULE",
          `${moduleName} imports ${kind} ${from}.${name}, which this VM does not provide (only WASI preview 1 functions)`,
        );
      }
    }
    this.#checked.add(module);
  }

  /**
   * A fresh instance of `module` linked to this host (call {@linkcode prepare} first).
   * `extra` adds import modules of the VM's own (the inline executor's pooled memory).
   */
  instantiate(
    module: WebAssembly.Module,
    moduleName: string,
    extra?: WebAssembly.Imports,
  ): WasiInstance {
    this.#checkImports(module, moduleName, extra ?? {});
    const imports = extra ? { ...this.#imports, ...extra } : this.#imports;
    try {
      return { instance: new WebAssembly.Instance(module, imports), wasi: this.wasi };
    } catch (error) {
      throw new GvmError(
        error instanceof WebAssembly.RuntimeError ? "TRAP" : "BAD_MODULE",
        `Cannot instantiate ${moduleName}: ${(error as Error).message}`,
      );
    }
  }
}

// The shim sizes argv by UTF-16 length; non-ASCII arguments need their UTF-8 byte length.
function fixArgSizes(wasi: WASI): void {
  wasi.wasiImport.args_sizes_get = (argcPtr: number, sizePtr: number) => {
    const view = new DataView(wasi.inst.exports.memory.buffer);
    view.setUint32(argcPtr, wasi.args.length, true);
    const size = wasi.args.reduce((sum, arg) => sum + encoder.encode(arg).length + 1, 0);
    view.setUint32(sizePtr, size, true);
    return 0;
  };
}

/**
 * Runs the call's entry on `instance`: the WASI command (`_start`, else `main`) or one export.
 * Traps become `TRAP`, a non-zero exit `EXIT_CODE`.
 *
 * @example
 * ```ts
 * host.prepare(request, write);
 * const values = runEntry(host.instantiate(module, "math"), request);
 * ```
 */
export function runEntry(
  { instance, wasi }: WasiInstance,
  request: Pick<RunRequest, "entry" | "moduleName" | "maxPages">,
): WasmValue[] {
  const exports = instance.exports;
  const entry = request.entry;
  const label = entry.kind === "command" ? request.moduleName : `${request.moduleName}.${entry.fn}`;
  try {
    if (entry.kind === "command") {
      if (typeof exports._start === "function") {
        const code = wasi.start(instance as Parameters<WASI["start"]>[0]);
        if (code !== 0) throw new GvmError("EXIT_CODE", `${label} exited with code ${code}`);
        return [];
      }
      wasi.initialize(instance as Parameters<WASI["initialize"]>[0]);
      return toValues((exports.main as () => unknown)());
    }
    wasi.initialize(instance as Parameters<WASI["initialize"]>[0]);
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
        `${label} stopped at the ${request.maxPages * 64} KiB memory cap (--max-memory): ${
          (error as Error).message
        }`,
      );
    }
    throw describeFailure(label, error);
  }
}

// A trap right at the cap is most likely the module failing to grow: say so, not just "trap".
function atMemoryCap(instance: WebAssembly.Instance, maxPages: number, error: unknown): boolean {
  if (error instanceof RangeError && /allocate|memory/i.test(error.message)) return true;
  const memory = instance.exports.memory;
  return error instanceof WebAssembly.RuntimeError && memory instanceof WebAssembly.Memory &&
    memory.buffer.byteLength >= 0.9 * maxPages * 65_536;
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
  if (error instanceof WASIProcExit) {
    return error.code === 0
      ? new GvmError("EXIT_CODE", `${label} exited with code 0 before returning a value`)
      : new GvmError("EXIT_CODE", `${label} exited with code ${error.code}`);
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
