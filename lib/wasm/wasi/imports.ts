// Assembles the `wasi_snapshot_preview1` import object from the per-concern call files, each
// function wrapped so a WasiErrno or an OS error becomes its errno result while traps, proc_exit
// and a refusing `beforeEffect` hook unwind the module.
import { clockCalls } from "./clocks.ts";
import { dirReadCalls } from "./dir_read.ts";
import { Errno, errnoOf } from "./errno.ts";
import { fdCalls } from "./fd_calls.ts";
import { pathCalls } from "./path_calls.ts";
import { pollCalls } from "./poll.ts";
import { procCalls, WasiExit } from "./proc_calls.ts";
import { argsEnvCalls } from "./args_env.ts";
import { socketCalls } from "./sockets.ts";
import type { WasiState } from "./state.ts";

// deno-lint-ignore no-explicit-any
type HostFn = (...args: any[]) => number;

function guard(fn: HostFn): HostFn {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof WasiExit) throw error;
      const errno = errnoOf(error);
      if (errno !== undefined) return errno;
      // Out-of-bounds guest pointers surface as RangeError from DataView: a bad pointer.
      if (error instanceof RangeError && !/call stack/i.test(error.message)) return Errno.FAULT;
      throw error;
    }
  };
}

/**
 * Every WASI preview 1 function, over `state`.
 *
 * @example
 * ```ts
 * const imports = { wasi_snapshot_preview1: wasiImports(state) };
 * ```
 */
export function wasiImports(state: WasiState): Record<string, HostFn> {
  const all: Record<string, HostFn> = {
    ...argsEnvCalls(state),
    ...procCalls(),
    ...socketCalls(state),
    ...clockCalls(state),
    ...fdCalls(state),
    ...dirReadCalls(state),
    ...pathCalls(state),
    ...pollCalls(state),
  };
  const wrapped: Record<string, HostFn> = {};
  for (const [name, fn] of Object.entries(all)) {
    wrapped[name] = name === "proc_exit" ? fn : guard(fn);
  }
  return wrapped;
}
