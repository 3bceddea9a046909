// args_* and environ_*: the call's own argv and environment, as NUL-terminated UTF-8 strings.
import { utf8 } from "./memory.ts";
import type { WasiState } from "./state.ts";

function writeList(s: WasiState, items: string[], listPtr: number, bufPtr: number): number {
  const view = s.memory.view();
  let at = bufPtr;
  items.forEach((item, i) => {
    const bytes = utf8(item);
    view.setUint32(listPtr + i * 4, at, true);
    const out = s.memory.bytes(at, bytes.length + 1);
    out.set(bytes);
    out[bytes.length] = 0;
    at += bytes.length + 1;
  });
  return 0;
}

function writeSizes(s: WasiState, items: string[], countPtr: number, sizePtr: number): number {
  s.memory.u32(countPtr, items.length);
  // Sizes in UTF-8 bytes (not UTF-16 units), each with its NUL.
  s.memory.u32(sizePtr, items.reduce((sum, item) => sum + utf8(item).length + 1, 0));
  return 0;
}

/**
 * The argv and environment imports.
 *
 * @example
 * ```ts
 * argsEnvCalls(state).args_sizes_get(countPtr, sizePtr);
 * ```
 */
export function argsEnvCalls(s: WasiState) {
  return {
    args_get: (list: number, buf: number) => writeList(s, s.call.args, list, buf),
    args_sizes_get: (count: number, size: number) => writeSizes(s, s.call.args, count, size),
    environ_get: (list: number, buf: number) => writeList(s, s.call.env, list, buf),
    environ_sizes_get: (count: number, size: number) => writeSizes(s, s.call.env, count, size),
  };
}
