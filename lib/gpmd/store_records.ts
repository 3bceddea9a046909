// One small record per stored version, beside the content files: what the index says about that
// version, kept apart so a damaged index can be rebuilt from them.
import { isSha256Hex, sha256Hex } from "../hash.ts";
import { isModuleName, isVersion } from "../names.ts";
import { writeFileDurably } from "./durable_file.ts";

/** One stored version of a module, as the index and its record describe it. */
export interface StoredVersion {
  file: string;
  sha256: string;
  size: number;
  uploadedAt: string;
}

/** name → version → where its bytes are. */
export type StoreIndex = Record<string, Record<string, StoredVersion>>;

/** Whether `name` is a content file: the sha256 of its bytes, then `.wasm`. */
export function isContentFileName(name: string): boolean {
  return name.endsWith(".wasm") && isSha256Hex(name.slice(0, -5));
}

/** The folder of the version records, inside the modules folder. */
export function recordsDir(modulesDir: string): string {
  return `${modulesDir}/versions`;
}

function recordPath(modulesDir: string, name: string, version: string): string {
  // Module names and versions are checked before they get here: no slashes, no dots-only.
  return `${recordsDir(modulesDir)}/${name}@${version}.json`;
}

/**
 * Writes (durably) the record of `name` at `version`.
 *
 * @example
 * ```ts
 * await writeRecord(home.modulesDir, "math", "v1", entry);
 * ```
 */
export async function writeRecord(
  modulesDir: string,
  name: string,
  version: string,
  entry: StoredVersion,
): Promise<void> {
  // The name becomes a file name: a hand-edited index must not steer it out of the folder.
  if (!isModuleName(name) || !isVersion(version)) {
    throw new Error(`'${name}' '${version}' is not a valid module name and version`);
  }
  await Deno.mkdir(recordsDir(modulesDir), { recursive: true });
  const text = JSON.stringify({ name, version, ...entry }) + "\n";
  await writeFileDurably(recordPath(modulesDir, name, version), new TextEncoder().encode(text));
}

/** Removes the record of `name` at `version`, if any (an upload that did not complete). */
export async function removeRecord(modulesDir: string, name: string, version: string) {
  await Deno.remove(recordPath(modulesDir, name, version)).catch(() => {});
}

/** Writes the records an older store (index only) lacks, so it too can be rebuilt later. */
export async function backfillRecords(modulesDir: string, index: StoreIndex): Promise<void> {
  for (const [name, versions] of Object.entries(index)) {
    for (const [version, entry] of Object.entries(versions)) {
      if (!isModuleName(name) || !isVersion(version)) continue;
      const exists = await Deno.stat(recordPath(modulesDir, name, version)).then(
        () => true,
        () => false,
      );
      if (!exists) await writeRecord(modulesDir, name, version, entry);
    }
  }
}

/** What {@linkcode rebuildIndex} found. */
export interface Rebuilt {
  index: StoreIndex;
  versions: number;
  /** One line per record left out, and why. */
  problems: string[];
  /** Content files whose hash checks out but that no record names. */
  unnamed: number;
}

/**
 * Rebuilds the index from the records, keeping only versions whose content file exists and
 * hashes to its name. Throws if the folder cannot be read.
 *
 * @example
 * ```ts
 * const { index } = await rebuildIndex(home.modulesDir);
 * ```
 */
export async function rebuildIndex(modulesDir: string): Promise<Rebuilt> {
  const index: StoreIndex = {};
  const problems: string[] = [];
  const verified = new Map<string, boolean>();
  const verify = async (file: string, sha256: string) => {
    if (!verified.has(file)) {
      const bytes = await Deno.readFile(`${modulesDir}/${file}`).catch(() => undefined);
      verified.set(file, bytes !== undefined && await sha256Hex(bytes) === sha256);
    }
    return verified.get(file)!;
  };
  let versions = 0;
  for (const record of await readRecords(recordsDir(modulesDir), problems)) {
    const { name, version, file, sha256, size, uploadedAt } = record;
    if (!await verify(file, sha256)) {
      problems.push(`${name} ${version}: ${file} is missing or does not match its hash; left out`);
      continue;
    }
    index[name] = { ...index[name], [version]: { file, sha256, size, uploadedAt } };
    versions++;
  }
  let unnamed = 0;
  for await (const entry of Deno.readDir(modulesDir)) {
    if (!entry.isFile || !isContentFileName(entry.name) || verified.has(entry.name)) continue;
    if (await verify(entry.name, entry.name.slice(0, -5))) unnamed++;
  }
  return { index, versions, problems, unnamed };
}

async function readRecords(
  dir: string,
  problems: string[],
): Promise<(StoredVersion & { name: string; version: string })[]> {
  const records = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    try {
      const r = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
      const valid = typeof r.name === "string" && isModuleName(r.name) &&
        typeof r.version === "string" && isVersion(r.version) &&
        entry.name === `${r.name}@${r.version}.json` && typeof r.sha256 === "string" &&
        isSha256Hex(r.sha256) && r.file === `${r.sha256}.wasm` &&
        Number.isSafeInteger(r.size) && typeof r.uploadedAt === "string";
      if (!valid) throw new Error("fields missing or malformed");
      records.push(r);
    } catch (error) {
      problems.push(`record ${entry.name} is unreadable (${(error as Error).message}); left out`);
    }
  }
  return records;
}
