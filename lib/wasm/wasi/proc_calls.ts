// proc_exit and proc_raise: a program ends by unwinding out of wasm with its code.
import { Errno } from "./errno.ts";

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

/**
 * The process imports.
 *
 * @example
 * ```ts
 * procCalls().proc_exit(3); // throws WasiExit(3)
 * ```
 */
export function procCalls() {
  return {
    proc_exit(code: number): never {
      throw new WasiExit(code >>> 0);
    },
    // Signals are not part of a call's world.
    proc_raise(_signal: number): number {
      return Errno.NOSYS;
    },
  };
}
