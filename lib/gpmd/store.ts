import { GvmError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { HomePaths } from "../home.ts";
import { DEFAULT_MAX_MODULE_BYTES } from "../protocol/limits.ts";
import { isModuleName } from "../wasm/catalog.ts";
import { compareVersions, isVersion } from "./versions.ts";

/** One stored version of a module. */
export interface StoredVersion {
  file: string;
  sha256: string;
  size: number;
  uploadedAt: string;
}

/** A module's name, its versions (oldest first) and the latest. */
export interface ModuleListing {
  name: string;
  versions: string[];
  latest: string;
}

/** A module fetched from the store. */
export interface StoredModule {
  name: string;
  version: string;
  sha256: string;
  bytes: Uint8Array;
}

type Index = Record<string, Record<string, StoredVersion>>;

/**
 * GPMD's versioned module store: files under `GHOST_HOME/modules`, described by
 * `GHOST_HOME/ghost.modules.json` (name → version → file, sha256).
 *
 * @example
 * ```ts
 * const store = await ModuleStore.open(homePaths());
 * await store.put("math", "v0.0.1", bytes);
 * const latest = await store.get("math");
 * ```
 */
export class ModuleStore {
  readonly #home: HomePaths;
  #index: Index;
  #writes: Promise<void> = Promise.resolve();

  private constructor(home: HomePaths, index: Index) {
    this.#home = home;
    this.#index = index;
  }

  /** Opens (or starts) the store in `home`. */
  static async open(home: HomePaths): Promise<ModuleStore> {
    await Deno.mkdir(home.modulesDir, { recursive: true });
    let index: Index = {};
    try {
      const parsed = JSON.parse(await Deno.readTextFile(home.modulesIndex));
      index = typeof parsed?.modules === "object" && parsed.modules !== null ? parsed.modules : {};
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new GvmError(
          "IO_ERROR",
          `Cannot read ${home.modulesIndex}: ${(error as Error).message}`,
        );
      }
    }
    return new ModuleStore(home, index);
  }

  /** Number of distinct module names stored. */
  get moduleCount(): number {
    return Object.keys(this.#index).length;
  }

  /** Stores `bytes` as `name@version`; refuses non-wasm and an existing name+version. */
  put(
    name: string,
    version: string,
    bytes: Uint8Array,
    maxBytes = DEFAULT_MAX_MODULE_BYTES,
  ): Promise<StoredModule> {
    // One upload at a time: each checks for an existing version and rewrites the index.
    const result = this.#writes.then(() => this.#put(name, version, bytes, maxBytes));
    this.#writes = result.then(() => {}, () => {});
    return result;
  }

  async #put(
    name: string,
    version: string,
    bytes: Uint8Array,
    maxBytes: number,
  ): Promise<StoredModule> {
    if (bytes.length > maxBytes) {
      throw new GvmError(
        "BAD_MODULE",
        `${name} ${version} is ${bytes.length} bytes, over GPMD's ${maxBytes}-byte cap (--max-module-bytes)`,
      );
    }
    if (!isModuleName(name)) {
      throw new GvmError("BAD_ARGS", `Bad module name '${name}': use letters, digits, _ and -`);
    }
    if (!isVersion(version)) {
      throw new GvmError("BAD_ARGS", `Bad version '${version}': use a form like v0.0.1`);
    }
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
      throw new GvmError(
        "BAD_MODULE",
        `The file for ${name} ${version} is not a valid wasm module`,
      );
    }
    if (Object.hasOwn(this.#index, name) && Object.hasOwn(this.#index[name], version)) {
      throw new GvmError("MODULE_EXISTS", `${name} ${version} is already stored`);
    }
    const sha256 = await sha256Hex(bytes);
    // Named by content: `a-v1`@`1` and `a`@`v1-1` must not share a file.
    const file = `${sha256}.wasm`;
    await Deno.writeFile(`${this.#home.modulesDir}/${file}`, bytes);
    const entry = { file, sha256, size: bytes.byteLength, uploadedAt: new Date().toISOString() };
    const existing = Object.hasOwn(this.#index, name) ? this.#index[name] : {};
    this.#index = { ...this.#index, [name]: { ...existing, [version]: entry } };
    await this.#saveIndex();
    return { name, version, sha256, bytes };
  }

  /** Every module with its versions in semver order. */
  list(): ModuleListing[] {
    return Object.keys(this.#index).sort().map((name) => {
      const versions = Object.keys(this.#index[name]).sort(compareVersions);
      return { name, versions, latest: versions[versions.length - 1] };
    });
  }

  /** `name` at `version`, or its latest version; `MODULE_NOT_FOUND` if absent. */
  async get(name: string, version?: string): Promise<StoredModule> {
    // Names and versions come from the wire: never let them reach Object.prototype.
    const versions = Object.hasOwn(this.#index, name) ? this.#index[name] : undefined;
    if (!versions || Object.keys(versions).length === 0) {
      throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no module named ${name}`);
    }
    const chosen = version ?? Object.keys(versions).sort(compareVersions).pop()!;
    const entry = Object.hasOwn(versions, chosen) ? versions[chosen] : undefined;
    if (!entry) {
      throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no version ${chosen} of ${name}`);
    }
    const bytes = await Deno.readFile(`${this.#home.modulesDir}/${entry.file}`);
    return { name, version: chosen, sha256: entry.sha256, bytes };
  }

  /**
   * Name, version, hash and size of `name` (latest unless `version`), or of the content
   * `sha256`, without reading the body; `MODULE_NOT_FOUND` if absent.
   */
  head(
    query: { name: string; version?: string } | { sha256: string },
  ): Omit<StoredModule, "bytes"> & { size: number } {
    for (const [name, versions] of Object.entries(this.#index)) {
      const chosen = "sha256" in query
        ? Object.keys(versions).find((v) => versions[v].sha256 === query.sha256)
        : name === query.name
        ? query.version ?? Object.keys(versions).sort(compareVersions).pop()
        : undefined;
      if (chosen === undefined || !Object.hasOwn(versions, chosen)) continue;
      const entry = versions[chosen];
      return { name, version: chosen, sha256: entry.sha256, size: entry.size };
    }
    const what = "sha256" in query
      ? `hash ${query.sha256}`
      : `${query.version ? `version ${query.version} of ` : "module named "}${query.name}`;
    throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no ${what}`);
  }

  /**
   * Opens the stored body of `name` at `version` for reading in pieces (the caller closes it),
   * so serving a body never needs all of it in memory; `MODULE_NOT_FOUND` if absent.
   */
  async openBody(name: string, version: string): Promise<Deno.FsFile> {
    const versions = Object.hasOwn(this.#index, name) ? this.#index[name] : undefined;
    const entry = versions && Object.hasOwn(versions, version) ? versions[version] : undefined;
    if (!entry) {
      throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no version ${version} of ${name}`);
    }
    return await Deno.open(`${this.#home.modulesDir}/${entry.file}`);
  }

  /** The module whose content hash is `sha256`, if stored. */
  async getByHash(sha256: string): Promise<StoredModule | undefined> {
    for (const [name, versions] of Object.entries(this.#index)) {
      for (const [version, entry] of Object.entries(versions)) {
        if (entry.sha256 === sha256) return await this.get(name, version);
      }
    }
    return undefined;
  }

  async #saveIndex(): Promise<void> {
    // Write then rename, so a crash never leaves a half-written index.
    const temp = `${this.#home.modulesIndex}.tmp`;
    await Deno.writeTextFile(temp, JSON.stringify({ modules: this.#index }, null, 2) + "\n");
    await Deno.rename(temp, this.#home.modulesIndex);
  }
}
