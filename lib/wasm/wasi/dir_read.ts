// fd_readdir: the folder's entries ("." and ".." first, as on POSIX) in WASI's dirent layout,
// paged by cookie. The listing is read once per walk (cookie 0) so cookies stay stable.
import { Errno, WasiErrno } from "./errno.ts";
import { type DirEntry, dirPath } from "./fd_table.ts";
import { fileType } from "./filestat.ts";
import { utf8 } from "./memory.ts";
import { Rights as R } from "./rights.ts";
import type { WasiState } from "./state.ts";

const DIRENT_BYTES = 24;

function inoOf(path: string): bigint {
  try {
    return BigInt(Deno.lstatSync(path).ino ?? 0);
  } catch {
    return 0n;
  }
}

function list(entry: DirEntry): NonNullable<DirEntry["listing"]> {
  const here = dirPath(entry);
  const self = inoOf(here);
  // The mapped root's parent is outside the folder: report the root itself for "..".
  const parent = entry.rel.length === 0 ? self : inoOf(`${here}/..`);
  const listing = [
    { name: ".", type: 3, ino: self },
    { name: "..", type: 3, ino: parent },
  ];
  for (const item of Deno.readDirSync(here)) {
    let type = 0;
    let ino = 0n;
    try {
      const info = Deno.lstatSync(`${here}/${item.name}`);
      type = fileType(info);
      ino = BigInt(info.ino ?? 0);
    } catch {
      // Removed while listing: keep the name, type unknown.
    }
    listing.push({ name: item.name, type, ino });
  }
  return listing;
}

/**
 * The `fd_readdir` import.
 *
 * @example
 * ```ts
 * dirReadCalls(state).fd_readdir(3, buf, 4096, 0n, usedPtr);
 * ```
 */
export function dirReadCalls(s: WasiState) {
  return {
    fd_readdir(fd: number, buf: number, len: number, cookie: bigint, bufused: number): number {
      const entry = s.fds.get(fd);
      if (entry.kind !== "dir") throw new WasiErrno(Errno.NOTDIR);
      if ((entry.base & R.FD_READDIR) === 0n) throw new WasiErrno(Errno.NOTCAPABLE);
      if (cookie === 0n || !entry.listing) entry.listing = list(entry);
      const out = s.memory.bytes(buf, len);
      let used = 0;
      for (let i = Number(cookie); i < entry.listing.length && used < len; i++) {
        const item = entry.listing[i];
        const name = utf8(item.name);
        const record = new Uint8Array(DIRENT_BYTES + name.length);
        const rv = new DataView(record.buffer);
        rv.setBigUint64(0, BigInt(i + 1), true);
        rv.setBigUint64(8, item.ino, true);
        rv.setUint32(16, name.length, true);
        rv.setUint8(20, item.type);
        record.set(name, DIRENT_BYTES);
        // A record that does not fit is cut: the module sees a full buffer and asks again.
        const n = Math.min(record.length, len - used);
        out.set(record.subarray(0, n), used);
        used += n;
      }
      s.memory.u32(bufused, used);
      return 0;
    },
  };
}
