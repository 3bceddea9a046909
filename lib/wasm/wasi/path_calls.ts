// path_* functions: every path is resolved by resolvePath (confined to the folder descriptor it
// is relative to) before the OS sees it; the OS then acts on a path with no symlink left in it.
import { check, Errno, WasiErrno } from "./errno.ts";
import { type DirEntry, FdFlags } from "./fd_table.ts";
import { writeFilestat } from "./filestat.ts";
import { type Resolved, resolvePath } from "./path_resolve.ts";
import { DIR_RIGHTS, FILE_RIGHTS, Rights as R } from "./rights.ts";
import { setTimes } from "./set_times.ts";
import { effect, type WasiState } from "./state.ts";

const OFlags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
const SYMLINK_FOLLOW = 1;

/** A path argument: the folder descriptor, the rights it needs, the path's pointer and length. */
type PathArgs = [fd: number, rights: bigint, ptr: number, len: number];

const READ_RIGHTS = R.FD_READ | R.FD_READDIR;
const WRITE_RIGHTS = R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE | R.FD_DATASYNC;

function mustExist(r: Resolved): Deno.FileInfo {
  if (!r.info) throw new WasiErrno(Errno.NOENT);
  if (r.trailingSlash && !r.info.isDirectory) throw new WasiErrno(Errno.NOTDIR);
  return r.info;
}

/**
 * Whether a symlink at `rel` (components below the root) with text `target` stays inside the
 * root when followed: no absolute target, no `..` climbing above the root.
 */
function staysInside(rel: string[], target: string): boolean {
  if (target.startsWith("/")) return false;
  let depth = rel.length - 1;
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    depth += part === ".." ? -1 : 1;
    if (depth < 0) return false;
  }
  return true;
}

/**
 * The `path_*` imports of WASI preview 1.
 *
 * @example
 * ```ts
 * pathCalls(state).path_create_directory(3, ptr, len);
 * ```
 */
export function pathCalls(s: WasiState) {
  const { memory: mem, fds } = s;
  const at = (dir: DirEntry, ptr: number, len: number, follow: boolean) =>
    resolvePath(dir, mem.string(ptr, len), follow);
  /** The two ends of path_link and path_rename: a source that must exist and a destination. */
  const ends = (
    [oldFd, oldRights, oldPtr, oldLen]: PathArgs,
    [newFd, newRights, newPtr, newLen]: PathArgs,
    follow: boolean,
  ) => {
    const from = fds.dir(oldFd, oldRights);
    const to = fds.dir(newFd, newRights);
    const src = at(from, oldPtr, oldLen, follow);
    const info = mustExist(src);
    const dst = at(to, newPtr, newLen, false);
    return { from, to, src, info, dst };
  };
  return {
    path_create_directory(fd: number, ptr: number, len: number): number {
      const r = at(fds.dir(fd, R.PATH_CREATE_DIRECTORY), ptr, len, false);
      check(!r.info, Errno.EXIST);
      effect(s);
      Deno.mkdirSync(r.host);
      return 0;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): number {
      const r = at(fds.dir(fd, R.PATH_FILESTAT_GET), ptr, len, (flags & SYMLINK_FOLLOW) !== 0);
      writeFilestat(mem, buf, mustExist(r), s.times);
      return 0;
    },
    path_filestat_set_times(
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fstflags: number,
    ): number {
      const dir = fds.dir(fd, R.PATH_FILESTAT_SET_TIMES);
      const r = at(dir, ptr, len, (flags & SYMLINK_FOLLOW) !== 0);
      const info = mustExist(r);
      setTimes(s, info.isSymlink ? { link: r.host } : r.host, atim, mtim, fstflags);
      return 0;
    },
    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const { src, info, dst } = ends(
        [oldFd, R.PATH_LINK_SOURCE, oldPtr, oldLen],
        [newFd, R.PATH_LINK_TARGET, newPtr, newLen],
        (oldFlags & SYMLINK_FOLLOW) !== 0,
      );
      check(!dst.info, Errno.EXIST);
      check(!info.isDirectory, Errno.PERM);
      check(!dst.trailingSlash, Errno.NOENT);
      effect(s);
      Deno.linkSync(src.host, dst.host);
      return 0;
    },
    path_open(
      fd: number,
      dirFlags: number,
      ptr: number,
      len: number,
      oflags: number,
      base: bigint,
      inheriting: bigint,
      fdflags: number,
      out: number,
    ): number {
      const creat = (oflags & OFlags.CREAT) !== 0;
      const excl = creat && (oflags & OFlags.EXCL) !== 0;
      const trunc = (oflags & OFlags.TRUNC) !== 0;
      const wantDir = (oflags & OFlags.DIRECTORY) !== 0;
      const dir = fds.dir(
        fd,
        R.PATH_OPEN | (creat ? R.PATH_CREATE_FILE : 0n) | (trunc ? R.PATH_FILESTAT_SET_SIZE : 0n),
      );
      const path = mem.string(ptr, len);
      // O_EXCL never follows the last component, as POSIX says.
      const r = resolvePath(dir, path, !excl && (dirFlags & SYMLINK_FOLLOW) !== 0);
      const requested = BigInt.asUintN(64, base);
      const inherit = BigInt.asUintN(64, inheriting) & dir.inheriting;
      if (r.info) {
        check(!excl, Errno.EXIST);
        if (r.info.isSymlink) throw new WasiErrno(wantDir ? Errno.NOTDIR : Errno.LOOP);
        if (r.info.isDirectory) {
          check(!trunc && (requested & R.FD_WRITE) === 0n, Errno.ISDIR);
          check((fdflags & FdFlags.APPEND) === 0, Errno.ISDIR);
          mem.u32(
            out,
            fds.add({
              kind: "dir",
              root: r.root,
              rel: r.rel,
              base: requested & dir.inheriting & DIR_RIGHTS,
              inheriting: inherit,
              flags: fdflags & FdFlags.NONBLOCK,
            }),
          );
          return 0;
        }
        check(!wantDir && !r.trailingSlash, Errno.NOTDIR);
      } else {
        check(creat, Errno.NOENT);
        check(!wantDir, Errno.INVAL);
        check(!r.trailingSlash, Errno.ISDIR);
      }
      const read = (requested & READ_RIGHTS) !== 0n;
      const write = (requested & WRITE_RIGHTS) !== 0n || (fdflags & FdFlags.APPEND) !== 0;
      const creating = !r.info;
      if (creating || trunc) effect(s);
      // The OS needs write access to create or truncate; rights still bar writes not asked for.
      const file = Deno.openSync(r.host, {
        read: read || !(write || creating || trunc),
        write: write || creating || trunc,
        create: creat,
        createNew: excl,
        truncate: trunc,
      });
      mem.u32(
        out,
        fds.add({
          kind: "file",
          file,
          base: requested & dir.inheriting & FILE_RIGHTS,
          inheriting: inherit,
          flags: fdflags & (FdFlags.APPEND | FdFlags.NONBLOCK | FdFlags.DSYNC | FdFlags.SYNC |
            FdFlags.RSYNC),
        }),
      );
      return 0;
    },
    path_readlink(
      fd: number,
      ptr: number,
      len: number,
      buf: number,
      bufLen: number,
      bufused: number,
    ): number {
      const r = at(fds.dir(fd, R.PATH_READLINK), ptr, len, false);
      const info = mustExist(r);
      check(info.isSymlink, Errno.INVAL);
      const target = new TextEncoder().encode(Deno.readLinkSync(r.host));
      const n = Math.min(target.length, bufLen);
      mem.bytes(buf, n).set(target.subarray(0, n));
      mem.u32(bufused, n);
      return 0;
    },
    path_remove_directory(fd: number, ptr: number, len: number): number {
      const dir = fds.dir(fd, R.PATH_REMOVE_DIRECTORY);
      const r = at(dir, ptr, len, false);
      const info = mustExist(r);
      check(info.isDirectory, Errno.NOTDIR);
      // The folder itself (".") cannot be removed through itself.
      check(r.rel.length > dir.rel.length, Errno.INVAL);
      effect(s);
      Deno.removeSync(r.host);
      return 0;
    },
    path_rename(
      oldFd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const { from, to, src, info, dst } = ends(
        [oldFd, R.PATH_RENAME_SOURCE, oldPtr, oldLen],
        [newFd, R.PATH_RENAME_TARGET, newPtr, newLen],
        false,
      );
      if (dst.trailingSlash) check(info.isDirectory, Errno.NOTDIR);
      if (dst.info && !dst.info.isSymlink) {
        if (info.isDirectory) check(dst.info.isDirectory, Errno.NOTDIR);
        else check(!dst.info.isDirectory, Errno.ISDIR);
      }
      check(src.rel.length > from.rel.length && dst.rel.length > to.rel.length, Errno.BUSY);
      effect(s);
      Deno.renameSync(src.host, dst.host);
      return 0;
    },
    path_symlink(
      oldPtr: number,
      oldLen: number,
      fd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const target = mem.string(oldPtr, oldLen);
      const dst = at(fds.dir(fd, R.PATH_SYMLINK), newPtr, newLen, false);
      check(!dst.info, Errno.EXIST);
      check(!dst.trailingSlash, Errno.NOENT);
      // A link the module makes must not lead out of the folder, for it or for anyone else.
      check(staysInside(dst.rel, target), Errno.NOTCAPABLE);
      effect(s);
      Deno.symlinkSync(target, dst.host);
      return 0;
    },
    path_unlink_file(fd: number, ptr: number, len: number): number {
      const r = at(fds.dir(fd, R.PATH_UNLINK_FILE), ptr, len, false);
      const info = mustExist(r);
      check(!info.isDirectory, Errno.ISDIR);
      effect(s);
      Deno.removeSync(r.host);
      return 0;
    },
  };
}
