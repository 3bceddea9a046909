import { GvmError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import { DEFAULT_MAX_MODULE_BYTES } from "../protocol/limits.ts";
import { capMemory } from "./memory_cap.ts";
import { type ModuleInfo, readModuleInfo } from "./signatures.ts";

/** A compiled module with what was read from its binary. */
export interface LoadedModule {
  name: string;
  sha256: string;
  info: ModuleInfo;
  /** Kept so the module can be shipped to a peer that lacks it. */
  bytes: Uint8Array;
  /** What a sandbox compiles: the body with its memory capped. */
  runnable: Uint8Array;
}

/** A module body from somewhere other than the modules folder. */
export interface ModuleBytes {
  name: string;
  sha256: string;
  bytes: Uint8Array;
  /** Set only by code that hashed these very bytes and found `sha256` (chunks as they came). */
  hashChecked?: boolean;
}

/** Options for {@linkcode ModuleCatalog}. */
export interface ModuleCatalogOptions {
  /** The modules folder: `NAME.wasm` there is module `NAME`. */
  modulesDir: string;
  /** Fallback when the folder lacks a module (GPMD's store); undefined when absent there too. */
  fetchFallback?: (name: string) => Promise<ModuleBytes | undefined>;
  /** Names of the modules the fallback holds (for completion). */
  listFallback?: () => Promise<string[]>;
  /** Memory cap per instance, in 64 KiB pages. @default {4096} (256 MiB) */
  maxMemoryPages?: number;
  /** Largest module body loaded. @default {64 MiB} */
  maxModuleBytes?: number;
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Whether `name` can name a module: what the prompt parses and a file name can hold. */
export function isModuleName(name: string): boolean {
  return MODULE_NAME.test(name);
}

/**
 * Finds modules by name (the modules folder first, then the fallback) and compiles each body
 * once: compiled modules are cached by content hash.
 *
 * @example
 * ```ts
 * const catalog = new ModuleCatalog({ modulesDir: "./modules" });
 * const math = await catalog.load("math");
 * ```
 */
export class ModuleCatalog {
  readonly #options: ModuleCatalogOptions;
  readonly #byHash = new Map<string, Promise<LoadedModule>>();
  readonly #files = new Map<string, { stamp: string; sha256: string }>();

  constructor(options: ModuleCatalogOptions) {
    this.#options = options;
  }

  /** The modules folder. */
  get modulesDir(): string {
    return this.#options.modulesDir;
  }

  /** Loads module `name`; `MODULE_NOT_FOUND` when neither the folder nor the fallback has it. */
  async load(name: string): Promise<LoadedModule> {
    if (!MODULE_NAME.test(name)) {
      throw new GvmError("MODULE_NOT_FOUND", `'${name}' is not a module name`);
    }
    const fromFolder = await this.#loadFromFolder(name);
    if (fromFolder) return fromFolder;
    const fetched = await this.#options.fetchFallback?.(name);
    if (!fetched) {
      throw new GvmError(
        "MODULE_NOT_FOUND",
        `No module named ${name} (looked in ${this.#options.modulesDir} and in GPMD's store)`,
      );
    }
    return await this.add(fetched);
  }

  /** A module already compiled, by content hash. */
  async byHash(sha256: string): Promise<LoadedModule | undefined> {
    return await this.#byHash.get(sha256)?.catch(() => undefined);
  }

  /**
   * Compiles `body` and caches it by hash, after checking the hash unless the caller already
   * did (`hashChecked`: a body hashed as its chunks arrived).
   */
  async add(body: ModuleBytes): Promise<LoadedModule> {
    const known = await this.byHash(body.sha256);
    // The very body cached already (checked when it came): no second hash of many MiB.
    if (known?.bytes === body.bytes) {
      return await this.#compile(body.name, known.sha256, known.bytes);
    }
    this.#checkSize(body.name, body.bytes.length);
    if (body.hashChecked) return await this.#compile(body.name, body.sha256, body.bytes);
    const actual = await sha256Hex(body.bytes);
    if (actual !== body.sha256) {
      throw new GvmError(
        "HASH_MISMATCH",
        `Module ${body.name} has sha256 ${actual}, not the ${body.sha256} it was sent as`,
      );
    }
    return await this.#compile(body.name, actual, body.bytes);
  }

  /** Module names in the folder and the fallback, sorted, for completion and help. */
  async names(): Promise<string[]> {
    const names = new Set<string>();
    try {
      for await (const entry of Deno.readDir(this.#options.modulesDir)) {
        const match = /^(.+)\.wasm$/.exec(entry.name);
        if (!match || !MODULE_NAME.test(match[1])) continue;
        // A symlinked module runs like any other, so it is listed too (unless it dangles).
        const isFile = entry.isFile ||
          (entry.isSymlink &&
            await Deno.stat(`${this.#options.modulesDir}/${entry.name}`).then(
              (info) => info.isFile,
              () => false,
            ));
        if (isFile) names.add(match[1]);
      }
    } catch {
      // No folder: only the fallback's modules.
    }
    for (const name of await this.#options.listFallback?.().catch(() => []) ?? []) names.add(name);
    return [...names].sort();
  }

  #checkSize(name: string, size: number): void {
    const cap = this.#options.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES;
    if (size > cap) {
      throw new GvmError(
        "BAD_MODULE",
        `${name}.wasm is ${size} bytes, over the ${cap}-byte cap (--max-module-bytes)`,
      );
    }
  }

  async #loadFromFolder(name: string): Promise<LoadedModule | undefined> {
    const path = `${this.#options.modulesDir}/${name}.wasm`;
    let stat: Deno.FileInfo;
    try {
      // Sync on purpose: a few µs, where the async op costs tens on every call's hot path.
      stat = Deno.statSync(path);
    } catch {
      this.#files.delete(name);
      return undefined;
    }
    if (!stat.isFile) {
      // A FIFO would hold the call forever in a read no time limit covers.
      throw new GvmError("BAD_MODULE", `${path} is not a regular file`);
    }
    // A file replaced or rewritten changes at least one of these.
    this.#checkSize(name, stat.size);
    const stamp = `${stat.ino}:${stat.size}:${stat.mtime?.getTime()}:${stat.ctime?.getTime()}`;
    const known = this.#files.get(name);
    if (known?.stamp === stamp) {
      const cached = this.#byHash.get(known.sha256);
      if (cached) return await cached;
    }
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw new GvmError("IO_ERROR", `Cannot read ${path}: ${(error as Error).message}`);
    }
    const sha256 = await sha256Hex(bytes);
    this.#files.set(name, { stamp, sha256 });
    return await this.#compile(name, sha256, bytes);
  }

  #compile(name: string, sha256: string, bytes: Uint8Array): Promise<LoadedModule> {
    let pending = this.#byHash.get(sha256);
    if (!pending) {
      pending = compileModule(name, sha256, bytes, this.#options.maxMemoryPages ?? 4096);
      // A broken body is not cached, so fixing the file fixes the module.
      pending.catch(() => this.#byHash.delete(sha256));
      this.#byHash.set(sha256, pending);
    }
    return pending.then((loaded) => loaded.name === name ? loaded : { ...loaded, name });
  }
}

async function compileModule(
  name: string,
  sha256: string,
  bytes: Uint8Array,
  maxMemoryPages: number,
): Promise<LoadedModule> {
  let info: ModuleInfo;
  try {
    info = readModuleInfo(bytes);
  } catch (error) {
    throw new GvmError("BAD_MODULE", `${name}.wasm: ${(error as Error).message}`);
  }
  const runnable = capMemory(bytes, maxMemoryPages, name);
  // Sandboxes compile the module; here it is only validated, which costs no code generation.
  // Only a module that fails is compiled, to get the engine's reason.
  if (!WebAssembly.validate(runnable as Uint8Array<ArrayBuffer>)) {
    const reason = await WebAssembly.compile(runnable as Uint8Array<ArrayBuffer>).then(
      () => "it does not validate",
      (error) => (error as Error).message,
    );
    throw new GvmError("BAD_MODULE", `${name}.wasm does not compile: ${reason}`);
  }
  return { name, sha256, info, bytes, runnable };
}
