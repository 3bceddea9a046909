// Confinement: every path a module names is resolved here, one component at a time, against
// the folder descriptor it is relative to. Symlinks are read and followed by this code (never by
// the OS), `..` may not climb above that folder, and absolute paths or absolute symlink targets
// are refused, so no path, link or `..` reaches outside the mapped folder.
import type { DirEntry } from "./fd_table.ts";
import { Errno, WasiErrno } from "./errno.ts";

/** Most symlinks followed in one resolution (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** A path resolved inside a mapped folder. */
export interface Resolved {
  /** The host path to hand to the OS: no symlink in it except perhaps the last component. */
  host: string;
  /** The mapped root it lies under. */
  root: string;
  /** Components below the root. */
  rel: string[];
  /** The path ended in `/` (so it must name a folder). */
  trailingSlash: boolean;
  /** `lstat` of the final component, or undefined when it does not exist. */
  info?: Deno.FileInfo;
}

/**
 * Resolves `path` relative to folder `dir`. Symlinks in the middle are always followed; the last
 * component is followed when `followLast` (or the path ends in `/`). Throws `WasiErrno`:
 * NOTCAPABLE for a path or link leading out of `dir`, NOENT/NOTDIR/LOOP as the OS would.
 *
 * @example
 * ```ts
 * const { host, info } = resolvePath(dir, "sub/file.txt", true);
 * ```
 */
export function resolvePath(dir: DirEntry, path: string, followLast: boolean): Resolved {
  if (path.length === 0) throw new WasiErrno(Errno.NOENT);
  if (path.includes("\0")) throw new WasiErrno(Errno.ILSEQ);
  if (path.startsWith("/")) throw new WasiErrno(Errno.NOTCAPABLE);
  const floor = dir.rel.length;
  const stack = [...dir.rel];
  let trailingSlash = path.endsWith("/");
  let parts = path.split("/").filter((part) => part !== "");
  let links = 0;
  let info: Deno.FileInfo | undefined;
  const hostOf = () => stack.length === 0 ? dir.root : `${dir.root}/${stack.join("/")}`;
  const statHere = () => {
    try {
      return Deno.lstatSync(hostOf());
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  };
  info = parts.length === 0 ? statHere() : undefined;
  while (parts.length > 0) {
    const name = parts.shift()!;
    const last = parts.length === 0;
    if (name === "." || name === "..") {
      if (name === "..") {
        if (stack.length <= floor) throw new WasiErrno(Errno.NOTCAPABLE);
        stack.pop();
      }
      if (last) info = statHere();
      continue;
    }
    stack.push(name);
    info = statHere();
    if (!info) {
      if (last) break;
      throw new WasiErrno(Errno.NOENT);
    }
    if (info.isSymlink && (!last || followLast || trailingSlash)) {
      if (++links > MAX_SYMLINKS) throw new WasiErrno(Errno.LOOP);
      const target = Deno.readLinkSync(hostOf());
      if (target.startsWith("/")) throw new WasiErrno(Errno.NOTCAPABLE);
      stack.pop();
      if (last && target.endsWith("/")) trailingSlash = true;
      parts = [...target.split("/").filter((part) => part !== ""), ...parts];
      if (parts.length === 0) info = statHere();
      continue;
    }
    if (!last && !info.isDirectory) throw new WasiErrno(Errno.NOTDIR);
  }
  return { host: hostOf(), root: dir.root, rel: [...stack], trailingSlash, info };
}
