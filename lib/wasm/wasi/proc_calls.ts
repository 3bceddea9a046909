// args, environment, randomness, process exit and signals, and sockets (a call owns no sockets,
// so every sock_* function answers with an errno, never a trap).
import { check, Errno } from "./errno.ts";
import { utf8 } from "./memory.ts";
import type { WasiState } from "./state.ts";

/**
 * Thrown by `proc_exit` to unwind the module; the runner turns it into the call's exit code.
 *
 * @example
 * ```ts
 * if (error instanceof WasiExit) console.log(error.code);
 * ```
 */
export class WasiExit extends Error {
  readonly code: number;

  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

const MAX_RANDOM_CHUNK = 65_536;

function writeList(s: WasiState, items: string[], listPtr: number, bufPtr: number): number {
  const view = s.memory.view();
  let at = bufPtr;
  items.forEach((item, i) => {
    const bytes = utf8(item);
    view.setUint32(listPtr + i * 4, at, true);
    s.memory.bytes(at, bytes.length + 1).set([...bytes, 0]);
    at += bytes.length + 1;
  });
  return 0;
}

function writeSizes(s: WasiState, items: string[], countPtr: number, sizePtr: number): number {
  s.memory.u32(countPtr, items.length);
  s.memory.u32(sizePtr, items.reduce((sum, item) => sum + utf8(item).length + 1, 0));
  return 0;
}

/**
 * The argv, environment, random, process and socket imports.
 *
 * @example
 * ```ts
 * procCalls(state).args_sizes_get(countPtr, sizePtr);
 * ```
 */
export function procCalls(s: WasiState) {
  return {
    args_get: (list: number, buf: number) => writeList(s, s.call.args, list, buf),
    args_sizes_get: (count: number, size: number) => writeSizes(s, s.call.args, count, size),
    environ_get: (list: number, buf: number) => writeList(s, s.call.env, list, buf),
    environ_sizes_get: (count: number, size: number) => writeSizes(s, s.call.env, count, size),
    random_get(ptr: number, len: number): number {
      const out = s.memory.bytes(ptr, len);
      for (let at = 0; at < len; at += MAX_RANDOM_CHUNK) {
        crypto.getRandomValues(out.subarray(at, Math.min(len, at + MAX_RANDOM_CHUNK)));
      }
      return 0;
    },
    proc_exit(code: number): never {
      throw new WasiExit(code >>> 0);
    },
    proc_raise(_signal: number): number {
      return Errno.NOSYS;
    },
    sock_accept(fd: number, _flags: number, _out: number): number {
      s.fds.get(fd);
      return Errno.NOTSOCK;
    },
    sock_recv(fd: number, _iovs: number, _n: number, _flags: number, _a: number, _b: number) {
      s.fds.get(fd);
      return Errno.NOTSOCK;
    },
    sock_send(fd: number, _iovs: number, _n: number, _flags: number, _out: number): number {
      s.fds.get(fd);
      return Errno.NOTSOCK;
    },
    sock_shutdown(fd: number, how: number): number {
      s.fds.get(fd);
      check(how >= 1 && how <= 3, Errno.INVAL);
      return Errno.NOTSOCK;
    },
  };
}
