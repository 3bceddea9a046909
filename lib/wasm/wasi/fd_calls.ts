// fd_* functions on open descriptors: reads, writes, seeks, metadata, rights and flags.
import { check, Errno, WasiErrno } from "./errno.ts";
import { dirPath, type FdEntry, FdFlags, type FileEntry } from "./fd_table.ts";
import { FileType, writeFilestat } from "./filestat.ts";
import { Rights as R } from "./rights.ts";
import { effect, type WasiState } from "./state.ts";
import { setTimes } from "./set_times.ts";

const Whence = { SET: 0, CUR: 1, END: 2 } as const;

/** A file entry or the errno for what `entry` is instead (a folder, a stream). */
function asFile(
  entry: FdEntry,
  onDir: number = Errno.ISDIR,
  onStdio: number = Errno.SPIPE,
): FileEntry {
  if (entry.kind === "dir") throw new WasiErrno(onDir);
  if (entry.kind === "stdio") throw new WasiErrno(onStdio);
  return entry;
}

function readInto(file: Deno.FsFile, buffers: Uint8Array[]): number {
  let total = 0;
  for (const buffer of buffers) {
    let filled = 0;
    while (filled < buffer.length) {
      const n = file.readSync(buffer.subarray(filled));
      if (n === null || n === 0) return total + filled;
      filled += n;
    }
    total += filled;
  }
  return total;
}

/**
 * Writes all of `data` to `file`, however many writes that takes.
 *
 * @example
 * ```ts
 * writeAll(Deno.stdout, new TextEncoder().encode("hi\n"));
 * ```
 */
export function writeAll(file: Pick<Deno.FsFile, "writeSync">, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) written += file.writeSync(data.subarray(written));
}

/**
 * The `fd_*` imports of WASI preview 1 (all but fd_readdir and the preopen queries).
 *
 * @example
 * ```ts
 * const imports = fdCalls(state);
 * imports.fd_write(1, iovs, 1, nwrittenPtr);
 * ```
 */
export function fdCalls(s: WasiState) {
  const { memory: mem, fds } = s;
  return {
    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
      const entry = fds.need(fd, R.FD_ADVISE);
      asFile(entry, Errno.BADF, Errno.BADF);
      check(advice >= 0 && advice <= 5, Errno.INVAL);
      return 0;
    },
    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      const file = asFile(fds.need(fd, R.FD_ALLOCATE), Errno.BADF, Errno.BADF).file;
      check(offset >= 0n && len > 0n, Errno.INVAL);
      const end = offset + len;
      if (end > BigInt(file.statSync().size)) {
        effect(s);
        file.truncateSync(Number(end));
      }
      return 0;
    },
    fd_close(fd: number): number {
      fds.close(fd);
      return 0;
    },
    fd_datasync(fd: number): number {
      const entry = fds.need(fd, R.FD_DATASYNC);
      if (entry.kind === "file") entry.file.syncDataSync();
      else check(entry.kind === "dir", Errno.INVAL);
      return 0;
    },
    fd_sync(fd: number): number {
      const entry = fds.need(fd, R.FD_SYNC);
      if (entry.kind === "file") entry.file.syncSync();
      else check(entry.kind === "dir", Errno.INVAL);
      return 0;
    },
    fd_fdstat_get(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      const view = mem.view();
      const type = entry.kind === "dir"
        ? FileType.DIRECTORY
        : entry.kind === "file"
        ? FileType.REGULAR_FILE
        : FileType.CHARACTER_DEVICE;
      view.setUint8(ptr, type);
      view.setUint8(ptr + 1, 0);
      view.setUint16(ptr + 2, entry.flags, true);
      view.setUint32(ptr + 4, 0, true);
      view.setBigUint64(ptr + 8, entry.base, true);
      view.setBigUint64(ptr + 16, entry.inheriting, true);
      return 0;
    },
    fd_fdstat_set_flags(fd: number, flags: number): number {
      const entry = fds.need(fd, R.FD_FDSTAT_SET_FLAGS);
      // Only APPEND and NONBLOCK can change on an open descriptor (as with fcntl F_SETFL).
      check((flags & ~(FdFlags.APPEND | FdFlags.NONBLOCK)) === 0, Errno.INVAL);
      if (entry.kind === "dir") check((flags & FdFlags.APPEND) === 0, Errno.INVAL);
      entry.flags = flags;
      return 0;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      const entry = fds.get(fd);
      const newBase = BigInt.asUintN(64, base);
      const newInheriting = BigInt.asUintN(64, inheriting);
      // Rights only ever shrink.
      check((newBase & ~entry.base) === 0n, Errno.NOTCAPABLE);
      check((newInheriting & ~entry.inheriting) === 0n, Errno.NOTCAPABLE);
      entry.base = newBase;
      entry.inheriting = newInheriting;
      return 0;
    },
    fd_filestat_get(fd: number, ptr: number): number {
      const entry = fds.need(fd, R.FD_FILESTAT_GET);
      if (entry.kind === "stdio") {
        mem.bytes(ptr, 64).fill(0);
        mem.view().setUint8(ptr + 16, FileType.CHARACTER_DEVICE);
        return 0;
      }
      const info = entry.kind === "file" ? entry.file.statSync() : Deno.statSync(dirPath(entry));
      writeFilestat(mem, ptr, info, s.times);
      return 0;
    },
    fd_filestat_set_size(fd: number, size: bigint): number {
      const file = asFile(fds.need(fd, R.FD_FILESTAT_SET_SIZE), Errno.BADF, Errno.BADF).file;
      check(size >= 0n && size <= BigInt(Number.MAX_SAFE_INTEGER), Errno.INVAL);
      effect(s);
      file.truncateSync(Number(size));
      return 0;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number): number {
      const entry = fds.need(fd, R.FD_FILESTAT_SET_TIMES);
      check(entry.kind !== "stdio", Errno.BADF);
      setTimes(s, entry.kind === "file" ? entry.file : dirPath(entry), atim, mtim, flags);
      return 0;
    },
    fd_pread(fd: number, iovs: number, count: number, offset: bigint, nread: number): number {
      const file = asFile(fds.need(fd, R.FD_READ | R.FD_SEEK)).file;
      check(offset >= 0n, Errno.INVAL);
      const buffers = mem.iovecs(iovs, count);
      const position = file.seekSync(0, Deno.SeekMode.Current);
      try {
        file.seekSync(offset, Deno.SeekMode.Start);
        mem.u32(nread, readInto(file, buffers));
      } finally {
        file.seekSync(position, Deno.SeekMode.Start);
      }
      return 0;
    },
    fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwritten: number): number {
      const file = asFile(fds.need(fd, R.FD_WRITE | R.FD_SEEK)).file;
      check(offset >= 0n, Errno.INVAL);
      const data = mem.gather(iovs, count);
      effect(s);
      const position = file.seekSync(0, Deno.SeekMode.Current);
      try {
        file.seekSync(offset, Deno.SeekMode.Start);
        writeAll(file, data);
      } finally {
        file.seekSync(position, Deno.SeekMode.Start);
      }
      mem.u32(nwritten, data.length);
      return 0;
    },
    fd_read(fd: number, iovs: number, count: number, nread: number): number {
      const entry = fds.need(fd, R.FD_READ);
      const buffers = mem.iovecs(iovs, count);
      if (entry.kind === "stdio") {
        check(entry.stream === 0, Errno.BADF);
        const stdin = s.call.stdin;
        if (stdin.isEffect) effect(s);
        let total = 0;
        for (const buffer of buffers) {
          if (buffer.length === 0) continue;
          const n = stdin.read(buffer);
          total += n;
          // Like read(2): return what one read gave rather than wait for more.
          if (n < buffer.length) break;
          if (stdin.ready === undefined) break;
        }
        mem.u32(nread, total);
        return 0;
      }
      mem.u32(nread, readInto(asFile(entry, Errno.ISDIR).file, buffers));
      return 0;
    },
    fd_write(fd: number, iovs: number, count: number, nwritten: number): number {
      const entry = fds.need(fd, R.FD_WRITE);
      const data = mem.gather(iovs, count);
      if (entry.kind === "stdio") {
        check(entry.stream !== 0, Errno.BADF);
        if (data.length > 0) s.call.write(entry.stream, data);
        mem.u32(nwritten, data.length);
        return 0;
      }
      const file = asFile(entry, Errno.ISDIR).file;
      effect(s);
      // Append is kept by the host, not the OS, so fd_fdstat_set_flags can turn it on and off.
      if (entry.flags & FdFlags.APPEND) file.seekSync(0, Deno.SeekMode.End);
      writeAll(file, data);
      mem.u32(nwritten, data.length);
      return 0;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffset: number): number {
      const entry = fds.get(fd);
      const file = asFile(entry, Errno.BADF).file;
      // Asking where we are (offset 0 from here) needs only FD_TELL, as wasi-libc's lseek expects.
      const tellOnly = offset === 0n && whence === Whence.CUR;
      check(
        (entry.base & R.FD_SEEK) !== 0n || (tellOnly && (entry.base & R.FD_TELL) !== 0n),
        Errno.NOTCAPABLE,
      );
      check(whence >= 0 && whence <= 2, Errno.INVAL);
      const mode = [Deno.SeekMode.Start, Deno.SeekMode.Current, Deno.SeekMode.End][whence];
      const base = whence === Whence.SET
        ? 0n
        : whence === Whence.CUR
        ? BigInt(file.seekSync(0, Deno.SeekMode.Current))
        : BigInt(file.statSync().size);
      check(base + offset >= 0n, Errno.INVAL);
      mem.u64(newOffset, BigInt(file.seekSync(offset, mode)));
      return 0;
    },
    fd_tell(fd: number, ptr: number): number {
      const file = asFile(fds.need(fd, R.FD_TELL), Errno.BADF).file;
      mem.u64(ptr, BigInt(file.seekSync(0, Deno.SeekMode.Current)));
      return 0;
    },
    fd_renumber(from: number, to: number): number {
      fds.renumber(from, to);
      return 0;
    },
    fd_prestat_get(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      check(entry.kind === "dir" && entry.preopen !== undefined, Errno.BADF);
      mem.view().setUint32(ptr, 0, true);
      mem.u32(ptr + 4, new TextEncoder().encode(entry.preopen).length);
      return 0;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
      const entry = fds.get(fd);
      check(entry.kind === "dir" && entry.preopen !== undefined, Errno.BADF);
      const name = new TextEncoder().encode(entry.preopen);
      check(len >= name.length, Errno.NAMETOOLONG);
      mem.bytes(ptr, name.length).set(name);
      return 0;
    },
  };
}
