// WASI preview 1 rights: what a descriptor may be used for. A descriptor's rights can only shrink
// (fd_fdstat_set_rights), and a file opened from a folder gets at most the folder's inheriting
// rights, so a module that drops a right cannot get it back.

/** Right bits, as `wasi_snapshot_preview1` numbers them. */
export const Rights = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n,
  PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n,
  PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n,
  SOCK_ACCEPT: 1n << 29n,
} as const;

const R = Rights;

/** Every right of a regular file. */
export const FILE_RIGHTS = R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS |
  R.FD_SYNC | R.FD_TELL | R.FD_WRITE | R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_SIZE | R.FD_FILESTAT_SET_TIMES | R.POLL_FD_READWRITE;

/** Every right of a folder (its own; files opened in it inherit {@linkcode FILE_RIGHTS}). */
export const DIR_RIGHTS = R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_DATASYNC |
  R.PATH_CREATE_DIRECTORY | R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET |
  R.PATH_OPEN | R.FD_READDIR | R.PATH_READLINK | R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET |
  R.PATH_FILESTAT_GET | R.PATH_FILESTAT_SET_SIZE | R.PATH_FILESTAT_SET_TIMES |
  R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES | R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY |
  R.PATH_UNLINK_FILE;

/** Rights of stdin, stdout and stderr (a character device each). */
export const STDIO_RIGHTS = R.FD_READ | R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET |
  R.POLL_FD_READWRITE;

/** What a preopened folder hands down to what is opened in it. */
export const INHERITING_RIGHTS = FILE_RIGHTS | DIR_RIGHTS;
