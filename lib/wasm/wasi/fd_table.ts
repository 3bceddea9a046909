// The module's descriptor numbers and what each one is: a standard stream, an open host file,
// or a folder inside a preopened one (held as a path under the mapped root, so nothing outside
// the root is ever opened on the module's behalf).
import { Errno, WasiErrno } from "./errno.ts";
import { DIR_RIGHTS, INHERITING_RIGHTS, STDIO_RIGHTS } from "./rights.ts";

/** fdflags bits. */
export const FdFlags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;

interface Common {
  /** Rights of this descriptor. */
  base: bigint;
  /** Rights handed down to what is opened through it. */
  inheriting: bigint;
  /** fdflags. */
  flags: number;
}

/** stdin (0), stdout (1) or stderr (2), wherever the module renumbered it. */
export interface StdioEntry extends Common {
  kind: "stdio";
  stream: 0 | 1 | 2;
}

/** An open host file. */
export interface FileEntry extends Common {
  kind: "file";
  file: Deno.FsFile;
}

/** A folder: `root` is the mapped host folder, `rel` the path below it (already confined). */
export interface DirEntry extends Common {
  kind: "dir";
  root: string;
  rel: string[];
  /** The guest name of a preopened folder (what fd_prestat_dir_name reports). */
  preopen?: string;
  /** Names read for fd_readdir, kept so cookies stay stable while the module pages through. */
  listing?: { name: string; type: number; ino: bigint }[];
}

/** Anything a descriptor number can stand for. */
export type FdEntry = StdioEntry | FileEntry | DirEntry;

/** stdin, stdout and stderr as descriptors 0, 1 and 2, as every call starts. */
export function stdioEntries(): StdioEntry[] {
  return ([0, 1, 2] as const).map((stream) => ({
    kind: "stdio",
    stream,
    base: STDIO_RIGHTS,
    inheriting: 0n,
    flags: 0,
  }));
}

/** The host folder `root`, preopened for the module as `preopen`. */
export function preopenEntry(root: string, preopen: string): DirEntry {
  return {
    kind: "dir",
    root,
    rel: [],
    preopen,
    base: DIR_RIGHTS,
    inheriting: INHERITING_RIGHTS,
    flags: 0,
  };
}

/** The host path of a folder entry. */
export function dirPath(entry: DirEntry): string {
  return entry.rel.length === 0 ? entry.root : `${entry.root}/${entry.rel.join("/")}`;
}

/**
 * Descriptor numbers → entries. New descriptors take the lowest free number, as POSIX does.
 *
 * @example
 * ```ts
 * const fds = new FdTable();
 * fds.reset([stdin, stdout, stderr, preopen]);
 * const entry = fds.get(3);
 * ```
 */
export class FdTable {
  #entries: (FdEntry | undefined)[] = [];

  /** Closes whatever the last call left open and starts over with `entries` as 0, 1, 2, ... */
  reset(entries: FdEntry[]): void {
    for (const entry of this.#entries) if (entry?.kind === "file") closeQuietly(entry.file);
    this.#entries = [...entries];
  }

  /** The entry at `fd`; BADF when none. */
  get(fd: number): FdEntry {
    const entry = this.#entries[fd];
    if (!entry) throw new WasiErrno(Errno.BADF);
    return entry;
  }

  /** The entry at `fd` with every right in `rights`; NOTCAPABLE when one is missing. */
  need(fd: number, rights: bigint): FdEntry {
    const entry = this.get(fd);
    if ((entry.base & rights) !== rights) throw new WasiErrno(Errno.NOTCAPABLE);
    return entry;
  }

  /** A folder entry at `fd` with `rights`; NOTDIR when `fd` is not a folder. */
  dir(fd: number, rights: bigint): DirEntry {
    const entry = this.get(fd);
    if (entry.kind !== "dir") throw new WasiErrno(Errno.NOTDIR);
    if ((entry.base & rights) !== rights) throw new WasiErrno(Errno.NOTCAPABLE);
    return entry;
  }

  /** Puts `entry` at the lowest free number and returns it. */
  add(entry: FdEntry): number {
    let fd = this.#entries.findIndex((e) => e === undefined);
    if (fd === -1) fd = this.#entries.length;
    this.#entries[fd] = entry;
    return fd;
  }

  /** Closes `fd`. */
  close(fd: number): void {
    const entry = this.get(fd);
    this.#entries[fd] = undefined;
    if (entry.kind === "file") entry.file.close();
  }

  /** Moves `from` onto `to` (closing what `to` held); both must be open. */
  renumber(from: number, to: number): void {
    const entry = this.get(from);
    const target = this.get(to);
    if (from === to) return;
    if (target.kind === "file") closeQuietly(target.file);
    this.#entries[to] = entry;
    this.#entries[from] = undefined;
  }
}

function closeQuietly(file: Deno.FsFile): void {
  try {
    file.close();
  } catch {
    // Already closed.
  }
}
