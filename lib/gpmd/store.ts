import { GvmError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { HomePaths } from "../home.ts";
import { DEFAULT_MAX_MODULE_BYTES } from "../limits.ts";
import { isModuleName, isVersion } from "../names.ts";
import type { StoredModule } from "../protocol/gpmd_types.ts";
import type { ModuleListing } from "../protocol/messages.ts";
import { isTemporaryName, writeFileDurably } from "./durable_file.ts";
import {
  backfillRecords,
  rebuildIndex,
  recordsDir,
  removeRecord,
  type StoredVersion,
  type StoreIndex,
  writeRecord,
} from "./store_records.ts";
import { compareVersions } from "./versions.ts";

export type { StoredVersion } from "./store_records.ts";

/** Options for {@linkcode ModuleStore.open}. */
export interface ModuleStoreOptions {
  /** Where to report a rebuilt index. @default {() => {}} */
  log?: (line: string) => void;
}

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
  #index: StoreIndex;
  #writes: Promise<void> = Promise.resolve();

  private constructor(home: HomePaths, index: StoreIndex) {
    this.#home = home;
    this.#index = index;
  }

  /**
   * Opens (or starts) the store in `home`. A damaged or empty index is set aside and rebuilt
   * from the version records whose content still hashes right; `IO_ERROR` if even that fails.
   */
  static async open(home: HomePaths, options: ModuleStoreOptions = {}): Promise<ModuleStore> {
    const log = options.log ?? (() => {});
    let text: string | undefined;
    try {
      await Deno.mkdir(home.modulesDir, { recursive: true });
      await removeTemporaries(home);
      text = await Deno.readTextFile(home.modulesIndex).catch((error) => {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      });
    } catch (error) {
      throw new GvmError("IO_ERROR", `Cannot open the module store: ${(error as Error).message}`);
    }
    const parsed = text === undefined ? undefined : parseIndex(text);
    if (parsed !== undefined && typeof parsed !== "string") {
      // Stores from before records were kept get them now, so they too can be rebuilt later.
      await backfillRecords(home.modulesDir, parsed).catch((error) =>
        log(`cannot write version records: ${(error as Error).message}`)
      );
      return new ModuleStore(home, parsed);
    }
    return new ModuleStore(home, await recover(home, parsed, log));
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
    return this.#oneAtATime(() => this.#put(name, version, bytes, maxBytes));
  }

  // Uploads and removals run one at a time: each checks the index, then rewrites it.
  #oneAtATime<T>(write: () => Promise<T>): Promise<T> {
    const result = this.#writes.then(write);
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
    const entry = { file, sha256, size: bytes.byteLength, uploadedAt: new Date().toISOString() };
    const existing = Object.hasOwn(this.#index, name) ? this.#index[name] : {};
    const next = { ...this.#index, [name]: { ...existing, [version]: entry } };
    try {
      // Readers may be streaming this very file: never rewrite it in place, and not at all
      // when it already holds these bytes.
      const path = `${this.#home.modulesDir}/${file}`;
      if (!await holds(path, sha256, bytes.byteLength)) await writeFileDurably(path, bytes);
      await writeRecord(this.#home.modulesDir, name, version, entry);
      try {
        await writeIndex(this.#home.modulesIndex, next);
      } catch (error) {
        await removeRecord(this.#home.modulesDir, name, version);
        throw error;
      }
    } catch (error) {
      throw new GvmError(
        "IO_ERROR",
        `Cannot store ${name} ${version}: ${(error as Error).message}`,
      );
    }
    // Only now that the index on disk lists it may anyone see it.
    this.#index = next;
    return { name, version, sha256, bytes };
  }

  /** Removes `name@version`; `MODULE_NOT_FOUND` if it is not stored. */
  remove(name: string, version: string): Promise<void> {
    return this.#oneAtATime(() => this.#remove(name, version));
  }

  async #remove(name: string, version: string): Promise<void> {
    const versions = Object.hasOwn(this.#index, name) ? this.#index[name] : undefined;
    const entry = versions && Object.hasOwn(versions, version) ? versions[version] : undefined;
    if (!versions || !entry) {
      throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no version ${version} of ${name}`);
    }
    const { [version]: _gone, ...rest } = versions;
    const index = { ...this.#index, [name]: rest };
    if (Object.keys(rest).length === 0) delete index[name];
    try {
      await writeIndex(this.#home.modulesIndex, index);
    } catch (error) {
      throw new GvmError(
        "IO_ERROR",
        `Cannot remove ${name} ${version}: ${(error as Error).message}`,
      );
    }
    // As with uploads: the index on disk changes first, then what anyone sees.
    this.#index = index;
    await removeRecord(this.#home.modulesDir, name, version).catch(() => {});
    // Files are named by content: another name or version may share this one.
    const shared = Object.values(this.#index).some((vs) =>
      Object.values(vs).some((e) => e.file === entry.file)
    );
    if (!shared) await Deno.remove(`${this.#home.modulesDir}/${entry.file}`).catch(() => {});
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
    const chosen = version ?? latestVersion(versions)!;
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
        ? query.version ?? latestVersion(versions)
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
}

// The highest of a module's versions, the semver way; undefined when it has none.
function latestVersion(versions: Record<string, StoredVersion>): string | undefined {
  return Object.keys(versions).sort(compareVersions).pop();
}

// The index file as the store writes it (and parseIndex reads it).
async function writeIndex(path: string, index: StoreIndex): Promise<void> {
  const text = JSON.stringify({ modules: index }, null, 2) + "\n";
  await writeFileDurably(path, new TextEncoder().encode(text));
}

// The index as read, or why it cannot be used.
function parseIndex(text: string): StoreIndex | string {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return text.trim() === "" ? "it is empty" : (error as Error).message;
  }
  const modules = parsed?.modules;
  if (typeof modules !== "object" || modules === null || Array.isArray(modules)) {
    return 'it has no "modules" object';
  }
  for (const versions of Object.values(modules)) {
    if (typeof versions !== "object" || versions === null) return "a module entry is malformed";
    for (const entry of Object.values(versions as Record<string, unknown>)) {
      const e = entry as Partial<StoredVersion> | null;
      if (typeof e?.file !== "string" || typeof e.sha256 !== "string") {
        return "a version entry is malformed";
      }
    }
  }
  return modules as StoreIndex;
}

// Rebuilds a missing or damaged index from the records; the damaged file is kept aside.
async function recover(
  home: HomePaths,
  damage: string | undefined,
  log: (line: string) => void,
): Promise<StoreIndex> {
  const where = home.modulesIndex;
  try {
    const rebuilt = await rebuildIndex(home.modulesDir);
    if (damage === undefined && rebuilt.versions === 0) return {};
    let kept = "";
    if (damage !== undefined) {
      const aside = `${where}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await Deno.rename(where, aside);
      kept = `; the damaged file is kept as ${aside}`;
    }
    await writeIndex(where, rebuilt.index);
    const modules = Object.keys(rebuilt.index).length;
    log(
      `${where} ${damage === undefined ? "was missing" : `was damaged (${damage})`}; rebuilt it ` +
        `from ${home.modulesDir}: ${count(rebuilt.versions, "version")} of ` +
        `${count(modules, "module")}${kept}`,
    );
    for (const problem of rebuilt.problems) log(`rebuilding the index: ${problem}`);
    if (rebuilt.unnamed > 0) {
      log(
        `${rebuilt.unnamed} content file(s) in ${home.modulesDir} have no version record; ` +
          "upload them again with gvm wasm upload --name NAME --version VERSION --file PATH",
      );
    }
    return rebuilt.index;
  } catch (error) {
    if (damage === undefined) {
      // No index lists anything yet (a new store, or one the user moved aside): start empty.
      log(
        `cannot rebuild the index from ${home.modulesDir} (${(error as Error).message}); ` +
          "starting with an empty store",
      );
      return {};
    }
    throw new GvmError(
      "IO_ERROR",
      `${where} is damaged (${damage}) and cannot be ` +
        `rebuilt from ${home.modulesDir} ` +
        `(${(error as Error).message}): move it aside to start with an empty store, then upload ` +
        "the modules again with gvm wasm upload",
    );
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// Whether `path` already holds exactly the bytes whose hash is `sha256`.
async function holds(path: string, sha256: string, size: number): Promise<boolean> {
  const stat = await Deno.stat(path).catch(() => undefined);
  if (stat?.size !== size) return false;
  return await sha256Hex(await Deno.readFile(path)) === sha256;
}

// Temporary files left by a crash mid-write are never part of the store.
async function removeTemporaries(home: HomePaths): Promise<void> {
  for (const dir of [home.root, home.modulesDir, recordsDir(home.modulesDir)]) {
    const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile && isTemporaryName(entry.name)) {
        await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
      }
    }
  }
}
