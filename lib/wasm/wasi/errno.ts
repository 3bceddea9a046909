// WASI preview 1 error numbers, and the mapping from the host's file-system errors to them.

/** WASI preview 1 `errno` values (the subset this host returns). */
export const Errno = {
  SUCCESS: 0,
  TOOBIG: 1,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INTR: 27,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  MLINK: 34,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  NOTTY: 59,
  NXIO: 60,
  OVERFLOW: 61,
  PERM: 63,
  PIPE: 64,
  ROFS: 69,
  SPIPE: 70,
  TXTBSY: 74,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

/**
 * Thrown inside a WASI function to return `errno` to the module; the import wrapper turns it
 * into the function's result.
 *
 * @example
 * ```ts
 * throw new WasiErrno(Errno.BADF);
 * ```
 */
export class WasiErrno extends Error {
  readonly errno: number;

  constructor(errno: number) {
    super(`WASI errno ${errno}`);
    this.errno = errno;
  }
}

/** Throws {@linkcode WasiErrno} `errno` when `ok` is false. */
export function check(ok: boolean, errno: number): asserts ok {
  if (!ok) throw new WasiErrno(errno);
}

// POSIX error names as Deno reports them (`error.code`) to WASI numbers.
const BY_CODE: Record<string, number> = {
  E2BIG: Errno.TOOBIG,
  EACCES: Errno.ACCES,
  EAGAIN: Errno.AGAIN,
  EBADF: Errno.BADF,
  EBUSY: Errno.BUSY,
  EEXIST: Errno.EXIST,
  EFBIG: Errno.FBIG,
  EILSEQ: Errno.ILSEQ,
  EINTR: Errno.INTR,
  EINVAL: Errno.INVAL,
  EIO: Errno.IO,
  EISDIR: Errno.ISDIR,
  ELOOP: Errno.LOOP,
  EMFILE: Errno.MFILE,
  EMLINK: Errno.MLINK,
  ENAMETOOLONG: Errno.NAMETOOLONG,
  ENOENT: Errno.NOENT,
  ENOMEM: Errno.NOMEM,
  ENOSPC: Errno.NOSPC,
  ENOSYS: Errno.NOSYS,
  ENOTDIR: Errno.NOTDIR,
  ENOTEMPTY: Errno.NOTEMPTY,
  ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP,
  ENXIO: Errno.NXIO,
  EOVERFLOW: Errno.OVERFLOW,
  EPERM: Errno.PERM,
  EPIPE: Errno.PIPE,
  EROFS: Errno.ROFS,
  ESPIPE: Errno.SPIPE,
  ETXTBSY: Errno.TXTBSY,
  EXDEV: Errno.XDEV,
};

/**
 * The WASI errno for an error thrown by a Deno file-system call, or undefined when `error` is
 * not one (then it must propagate: a trap, `proc_exit`, or the `beforeEffect` hook refusing).
 *
 * @example
 * ```ts
 * errnoOf(new Deno.errors.NotFound("x")); // Errno.NOENT
 * ```
 */
export function errnoOf(error: unknown): number | undefined {
  if (error instanceof WasiErrno) return error.errno;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code in BY_CODE) return BY_CODE[code];
  // Deno's own classes, for errors that carry no OS code.
  if (error instanceof Deno.errors.NotFound) return Errno.NOENT;
  if (error instanceof Deno.errors.AlreadyExists) return Errno.EXIST;
  if (error instanceof Deno.errors.NotADirectory) return Errno.NOTDIR;
  if (error instanceof Deno.errors.IsADirectory) return Errno.ISDIR;
  if (error instanceof Deno.errors.FilesystemLoop) return Errno.LOOP;
  if (error instanceof Deno.errors.NotCapable) return Errno.NOTCAPABLE;
  if (error instanceof Deno.errors.PermissionDenied) return Errno.ACCES;
  if (error instanceof Deno.errors.NotSupported) return Errno.NOTSUP;
  if (error instanceof Deno.errors.BrokenPipe) return Errno.PIPE;
  if (error instanceof Deno.errors.InvalidData) return Errno.INVAL;
  if (error instanceof Deno.errors.Busy) return Errno.BUSY;
  return undefined;
}
