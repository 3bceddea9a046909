// A bare WasiState for calling one family of WASI calls directly (no import object, no guard).
import { Errno, WasiErrno } from "../../../lib/wasm/wasi/errno.ts";
import {
  type DirEntry,
  FdTable,
  preopenEntry,
  stdioEntries,
} from "../../../lib/wasm/wasi/fd_table.ts";
import { TimeOverlay } from "../../../lib/wasm/wasi/filestat.ts";
import { GuestMemory } from "../../../lib/wasm/wasi/memory.ts";
import type { WasiState } from "../../../lib/wasm/wasi/state.ts";
import { EMPTY_STDIN } from "../../../lib/wasm/wasi/stdin.ts";

export function dirEntry(root: string): DirEntry {
  return preopenEntry(root, "/data");
}

/** A state with stdio on 0-2 and `root` preopened as 3 (never touched unless a test does). */
export function state(root = "/nonexistent-gvm-root") {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const guest = new GuestMemory();
  guest.bind(memory);
  const fds = new FdTable();
  fds.reset([...stdioEntries(), dirEntry(root)]);
  const written: { fd: number; text: string }[] = [];
  const s: WasiState = {
    memory: guest,
    fds,
    times: new TimeOverlay(),
    call: {
      args: ["prog", "héllo"],
      env: ["A=1"],
      write: (fd, data) => void written.push({ fd, text: new TextDecoder().decode(data) }),
      stdin: EMPTY_STDIN,
    },
  };
  return { s, view: new DataView(memory.buffer), bytes: new Uint8Array(memory.buffer), written };
}

export function errnoOfCall(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    if (error instanceof WasiErrno) return error.errno;
    throw error;
  }
  return Errno.SUCCESS;
}
