// File metadata in WASI's layout. Deno's file APIs carry times in milliseconds only, so the host
// remembers the exact nanoseconds a module set on a file and reports them back for as long as the
// file still holds the millisecond value that was written.
import type { GuestMemory } from "./memory.ts";

/** WASI filetype values. */
export const FileType = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** The WASI filetype of `info`. */
export function fileType(info: Deno.FileInfo): number {
  if (info.isFile) return FileType.REGULAR_FILE;
  if (info.isDirectory) return FileType.DIRECTORY;
  if (info.isSymlink) return FileType.SYMBOLIC_LINK;
  if (info.isBlockDevice) return FileType.BLOCK_DEVICE;
  if (info.isCharDevice) return FileType.CHARACTER_DEVICE;
  if (info.isSocket) return FileType.SOCKET_STREAM;
  return FileType.UNKNOWN;
}

const NS_PER_MS = 1_000_000n;

/** Most files whose exact times are remembered; the oldest is forgotten past it. */
const MAX_REMEMBERED = 4096;

function ns(date: Date | null): bigint {
  return date ? BigInt(date.getTime()) * NS_PER_MS : 0n;
}

interface ExactTimes {
  atimMs: bigint;
  mtimMs: bigint;
  atim: bigint;
  mtim: bigint;
}

/**
 * Nanosecond times a module set, by file identity (dev, ino).
 *
 * @example
 * ```ts
 * times.remember(Deno.lstatSync(path), atim, mtim);
 * const { atim, mtim } = times.of(Deno.lstatSync(path));
 * ```
 */
export class TimeOverlay {
  readonly #exact = new Map<string, ExactTimes>();

  /** Records that `atim`/`mtim` (ns) were just written to the file `info` now describes. */
  remember(info: Deno.FileInfo, atim: bigint, mtim: bigint): void {
    const key = `${info.dev}:${info.ino}`;
    this.#exact.delete(key);
    if (this.#exact.size >= MAX_REMEMBERED) {
      this.#exact.delete(this.#exact.keys().next().value!);
    }
    this.#exact.set(key, {
      atimMs: ns(info.atime),
      mtimMs: ns(info.mtime),
      atim,
      mtim,
    });
  }

  /** The times to report for `info`: the exact ones set, while the file keeps them. */
  of(info: Deno.FileInfo): { atim: bigint; mtim: bigint } {
    let atim = ns(info.atime);
    let mtim = ns(info.mtime);
    const exact = this.#exact.get(`${info.dev}:${info.ino}`);
    if (exact?.atimMs === atim) atim = exact.atim;
    if (exact?.mtimMs === mtim) mtim = exact.mtim;
    return { atim, mtim };
  }
}

/** Writes the 64-byte `filestat` of `info` at `ptr`. */
export function writeFilestat(
  memory: GuestMemory,
  ptr: number,
  info: Deno.FileInfo,
  times: TimeOverlay,
): void {
  const view = memory.view();
  const { atim, mtim } = times.of(info);
  view.setBigUint64(ptr, BigInt(info.dev ?? 0), true);
  view.setBigUint64(ptr + 8, BigInt(info.ino ?? 0), true);
  view.setUint8(ptr + 16, fileType(info));
  view.setBigUint64(ptr + 24, BigInt(info.nlink ?? 1), true);
  view.setBigUint64(ptr + 32, BigInt(info.size), true);
  view.setBigUint64(ptr + 40, atim, true);
  view.setBigUint64(ptr + 48, mtim, true);
  view.setBigUint64(ptr + 56, ns(info.ctime ?? info.mtime), true);
}
