import { Directory, File, type Inode, PreopenDirectory } from "@bjorn3/browser_wasi_shim";
import { GvmError } from "../errors.ts";

/** A host folder a module may see, and the path it sees it under. */
export interface DirMapping {
  host: string;
  guest: string;
}

/** Most bytes of host files copied in for one call. */
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/**
 * Parses `HOST_DIR[:GUEST_DIR]` (the guest path defaults to the host path as written).
 *
 * @example
 * ```ts
 * parseDirMapping("./data:/data"); // { host: "./data", guest: "/data" }
 * ```
 */
export function parseDirMapping(text: string): DirMapping {
  const colon = text.indexOf(":");
  const host = colon === -1 ? text : text.slice(0, colon);
  const guest = colon === -1 ? text : text.slice(colon + 1);
  if (host === "" || guest === "") {
    throw new GvmError("BAD_FLAGS", `--allow-dir takes HOST_DIR[:GUEST_DIR], not '${text}'`);
  }
  return { host, guest };
}

/**
 * A mapped folder for one call: the shim keeps files in memory, so the host folder is copied in
 * before the call and what the module changed is written back after it.
 *
 * @example
 * ```ts
 * const mapped = MappedDir.open({ host: "/srv/data", guest: "/data" });
 * // ... run the call with mapped.preopen among the WASI descriptors ...
 * mapped.syncBack();
 * ```
 */
export class MappedDir {
  readonly preopen: PreopenDirectory;
  readonly #mapping: DirMapping;
  readonly #original = new Map<string, Uint8Array>();

  private constructor(mapping: DirMapping, contents: Map<string, Inode>) {
    this.#mapping = mapping;
    this.preopen = new PreopenDirectory(mapping.guest, contents);
  }

  /** Copies the host folder in (synchronously: this runs in the sandbox, beside the call). */
  static open(mapping: DirMapping): MappedDir {
    const original = new Map<string, Uint8Array>();
    const budget = { left: MAX_SNAPSHOT_BYTES };
    let contents: Map<string, Inode>;
    try {
      contents = readTree(mapping.host, "", original, budget);
    } catch (error) {
      if (error instanceof GvmError) throw error;
      throw new GvmError("IO_ERROR", `Cannot read ${mapping.host}: ${(error as Error).message}`);
    }
    const mapped = new MappedDir(mapping, contents);
    for (const [path, bytes] of original) mapped.#original.set(path, bytes);
    return mapped;
  }

  /** Writes new and changed files back to the host folder and removes deleted ones. */
  syncBack(): void {
    const seen = new Set<string>();
    writeTree(this.#mapping.host, "", this.preopen.dir, this.#original, seen);
    for (const path of this.#original.keys()) {
      if (!seen.has(path)) Deno.removeSync(`${this.#mapping.host}/${path}`);
    }
  }
}

function readTree(
  root: string,
  prefix: string,
  original: Map<string, Uint8Array>,
  budget: { left: number },
): Map<string, Inode> {
  const contents = new Map<string, Inode>();
  for (const entry of Deno.readDirSync(`${root}/${prefix}`)) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory) {
      contents.set(entry.name, new Directory(readTree(root, path, original, budget)));
    } else if (entry.isFile) {
      const bytes = Deno.readFileSync(`${root}/${path}`);
      budget.left -= bytes.length;
      if (budget.left < 0) {
        throw new GvmError("IO_ERROR", `--allow-dir ${root} holds more than 256 MiB of files`);
      }
      original.set(path, bytes);
      contents.set(entry.name, new File(bytes.slice()));
    }
  }
  return contents;
}

function writeTree(
  root: string,
  prefix: string,
  dir: Directory,
  original: Map<string, Uint8Array>,
  seen: Set<string>,
): void {
  for (const [name, inode] of dir.contents) {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    if (inode instanceof Directory) {
      Deno.mkdirSync(`${root}/${path}`, { recursive: true });
      writeTree(root, path, inode, original, seen);
    } else if (inode instanceof File) {
      seen.add(path);
      const before = original.get(path);
      if (before && sameBytes(before, inode.data)) continue;
      // A file the module named like a symlink must not be written through it, out of the folder.
      if (isLinkOrFolder(`${root}/${path}`)) continue;
      Deno.writeFileSync(`${root}/${path}`, inode.data);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isLinkOrFolder(path: string): boolean {
  try {
    return !Deno.lstatSync(path).isFile;
  } catch {
    return false; // Not there yet: a new file.
  }
}
