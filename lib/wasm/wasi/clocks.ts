// clock_res_get, clock_time_get and random_get. Wall time comes from the host clock with sub-millisecond
// precision from the monotonic clock; CPU-time clocks report the monotonic clock (a call runs on
// one thread, start to end).
import { check, Errno } from "./errno.ts";
import type { WasiState } from "./state.ts";

/** clockid values. */
export const ClockId = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 };

const RESOLUTION_NS = 1_000n;
/** Most bytes crypto.getRandomValues fills at once. */
const MAX_RANDOM_CHUNK = 65_536;

/** Wall-clock time in nanoseconds since the epoch. */
export function realtimeNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/** Monotonic time in nanoseconds. */
export function monotonicNs(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

/** The current time of clock `id`, in ns; INVAL for an unknown clock. */
export function clockNow(id: number): bigint {
  check(id >= 0 && id <= 3, Errno.INVAL);
  return id === ClockId.REALTIME ? realtimeNs() : monotonicNs();
}

/**
 * The clock and random imports.
 *
 * @example
 * ```ts
 * clockCalls(state).clock_time_get(1, 0n, ptr);
 * ```
 */
export function clockCalls(s: WasiState) {
  return {
    clock_res_get(id: number, ptr: number): number {
      check(id >= 0 && id <= 3, Errno.INVAL);
      s.memory.u64(ptr, RESOLUTION_NS);
      return 0;
    },
    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      s.memory.u64(ptr, clockNow(id));
      return 0;
    },
    random_get(ptr: number, len: number): number {
      const out = s.memory.bytes(ptr, len);
      for (let at = 0; at < len; at += MAX_RANDOM_CHUNK) {
        crypto.getRandomValues(out.subarray(at, Math.min(len, at + MAX_RANDOM_CHUNK)));
      }
      return 0;
    },
  };
}
