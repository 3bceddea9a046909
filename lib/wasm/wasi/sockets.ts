// sock_*: a call owns no sockets (preview 1 cannot open any), so each function checks its
// descriptor and answers NOTSOCK (or BADF) as an errno, never a trap.
import { check, Errno } from "./errno.ts";
import type { WasiState } from "./state.ts";

/**
 * The socket imports.
 *
 * @example
 * ```ts
 * socketCalls(state).sock_shutdown(1, 3); // Errno.NOTSOCK
 * ```
 */
export function socketCalls(s: WasiState) {
  return {
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
