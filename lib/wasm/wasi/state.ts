// What every WASI function works on: the instance's memory, its descriptors, and the current
// call's own world (argv, environment, stdin, output, and the hook run before any effect).
import type { FdTable } from "./fd_table.ts";
import type { TimeOverlay } from "./filestat.ts";
import type { GuestMemory } from "./memory.ts";
import type { StdinSource } from "./stdin.ts";

/** The per-call world a {@linkcode WasiState} is aimed at. */
export interface WasiCall {
  args: string[];
  /** `NAME=VALUE` strings. */
  env: string[];
  /** Receives stdout (1) and stderr (2) bytes as they are produced (not an effect). */
  write: (fd: 1 | 2, data: Uint8Array) => void;
  stdin: StdinSource;
  /**
   * Called before any effect outside the instance that cannot be undone (file-system changes,
   * writes to files, reads of the real stdin), and before a poll_oneoff sleep (which would block
   * the thread). Throwing abandons the call before it.
   */
  beforeEffect?: () => void;
}

/** Shared state of the WASI functions of one host. */
export interface WasiState {
  memory: GuestMemory;
  fds: FdTable;
  times: TimeOverlay;
  call: WasiCall;
}

/** Runs the call's `beforeEffect` hook, if any (see {@linkcode WasiCall.beforeEffect}). */
export function effect(state: WasiState): void {
  state.call.beforeEffect?.();
}
