// A stand-in for a module: a linear memory and the host's WASI functions, called directly, so
// each test names the exact call and errno with no compiler in between.
import { Errno } from "../../../lib/wasm/wasi/errno.ts";
import { FdTable, preopenEntry, stdioEntries } from "../../../lib/wasm/wasi/fd_table.ts";
import { TimeOverlay } from "../../../lib/wasm/wasi/filestat.ts";
import { wasiImports } from "../../../lib/wasm/wasi/imports.ts";
import { GuestMemory } from "../../../lib/wasm/wasi/memory.ts";
import { INHERITING_RIGHTS } from "../../../lib/wasm/wasi/rights.ts";
import type { WasiCall } from "../../../lib/wasm/wasi/state.ts";
import { EMPTY_STDIN } from "../../../lib/wasm/wasi/stdin.ts";

export { Errno };

/** Where test strings and results go in guest memory. */
const SCRATCH = 1024;

/** A fake module with one preopened folder (fd 3) at `root`. */
export class Guest {
  readonly memory = new WebAssembly.Memory({ initial: 2 });
  readonly call: WasiCall = { args: [], env: [], write: () => {}, stdin: EMPTY_STDIN };
  readonly wasi: Record<string, (...args: unknown[]) => number>;
  readonly output: { fd: number; text: string }[] = [];
  #next = SCRATCH;

  constructor(root: string) {
    const guest = new GuestMemory();
    guest.bind(this.memory);
    const fds = new FdTable();
    fds.reset([...stdioEntries(), preopenEntry(root, "/")]);
    this.call.write = (fd, data) => this.output.push({ fd, text: new TextDecoder().decode(data) });
    this.wasi = wasiImports({ memory: guest, fds, times: new TimeOverlay(), call: this.call });
  }

  get view(): DataView {
    return new DataView(this.memory.buffer);
  }

  /** Reserves `n` bytes of scratch memory. */
  alloc(n: number): number {
    const at = this.#next;
    this.#next += (n + 7) & ~7;
    return at;
  }

  /** Puts `text` in memory; returns [ptr, len]. */
  str(text: string): [number, number] {
    const bytes = new TextEncoder().encode(text);
    const at = this.alloc(bytes.length);
    new Uint8Array(this.memory.buffer, at, bytes.length).set(bytes);
    return [at, bytes.length];
  }

  /** Opens `path` under fd `dir`; resolves to [errno, fd]. */
  open(
    path: string,
    options: {
      oflags?: number;
      rights?: bigint;
      fdflags?: number;
      follow?: boolean;
      dir?: number;
    } = {},
  ): [number, number] {
    const out = this.alloc(4);
    const errno = this.wasi.path_open(
      options.dir ?? 3,
      options.follow === false ? 0 : 1,
      ...this.str(path),
      options.oflags ?? 0,
      options.rights ?? INHERITING_RIGHTS,
      INHERITING_RIGHTS,
      options.fdflags ?? 0,
      out,
    );
    return [errno, this.view.getUint32(out, true)];
  }

  /** Writes `text` to `fd`; returns the errno. */
  write(fd: number, text: string): number {
    const [ptr, len] = this.str(text);
    const iov = this.alloc(8);
    this.view.setUint32(iov, ptr, true);
    this.view.setUint32(iov + 4, len, true);
    return this.wasi.fd_write(fd, iov, 1, this.alloc(4));
  }

  /** Reads up to `n` bytes from `fd`; returns [errno, text]. */
  read(fd: number, n = 256): [number, string] {
    const buf = this.alloc(n);
    const iov = this.alloc(8);
    const nread = this.alloc(4);
    this.view.setUint32(iov, buf, true);
    this.view.setUint32(iov + 4, n, true);
    const errno = this.wasi.fd_read(fd, iov, 1, nread);
    const got = this.view.getUint32(nread, true);
    return [errno, new TextDecoder().decode(new Uint8Array(this.memory.buffer, buf, got))];
  }

  /** Seeks `fd`; returns [errno, new offset]. */
  seek(fd: number, offset: bigint, whence: number): [number, bigint] {
    const out = this.alloc(8);
    const errno = this.wasi.fd_seek(fd, offset, whence, out);
    return [errno, this.view.getBigUint64(out, true)];
  }

  /** path_filestat_get: [errno, mtim, size]. */
  stat(path: string, follow = true): [number, bigint, bigint] {
    const buf = this.alloc(64);
    const errno = this.wasi.path_filestat_get(3, follow ? 1 : 0, ...this.str(path), buf);
    return [errno, this.view.getBigUint64(buf + 48, true), this.view.getBigUint64(buf + 32, true)];
  }
}

/** A temp folder to map, with a sibling folder outside it holding `secret.txt`. */
export async function sandboxDirs(): Promise<
  { root: string; outside: string } & AsyncDisposable
> {
  const base = await Deno.makeTempDir({ prefix: "gvm-wasi-" });
  const root = `${base}/root`;
  const outside = `${base}/outside`;
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
  return {
    root,
    outside,
    [Symbol.asyncDispose]: () => Deno.remove(base, { recursive: true }),
  };
}
