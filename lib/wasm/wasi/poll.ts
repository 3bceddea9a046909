// poll_oneoff: clock, fd_read and fd_write subscriptions. Files and the output streams are always
// ready; stdin is ready when it has bytes or its end is known (the real stdin is reported ready and
// a read then waits, as a blocking read would). When nothing is ready the call sleeps until the
// earliest clock fires, then reports every clock that has.
import { check, Errno, errnoOf } from "./errno.ts";
import { clockNow, monotonicNs } from "./clocks.ts";
import { Rights as R } from "./rights.ts";
import { effect, type WasiState } from "./state.ts";

const SUBSCRIPTION_BYTES = 48;
const EVENT_BYTES = 32;
const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
const ABSTIME = 1;

interface Event {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
}

interface Clock {
  userdata: bigint;
  /** Monotonic deadline, ns. */
  deadline: bigint;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepNs(ns: bigint): void {
  if (ns <= 0n) return;
  Atomics.wait(sleeper, 0, 0, Number(ns) / 1e6);
}

/**
 * The `poll_oneoff` and `sched_yield` imports.
 *
 * @example
 * ```ts
 * pollCalls(state).poll_oneoff(inPtr, outPtr, 2, neventsPtr);
 * ```
 */
export function pollCalls(s: WasiState) {
  function fdEvent(userdata: bigint, type: number, fd: number): Event {
    const event = { userdata, error: 0, type, nbytes: 0n };
    try {
      const entry = s.fds.need(fd, R.POLL_FD_READWRITE);
      if (entry.kind === "stdio") {
        if (type === EventType.FD_READ) {
          check(entry.stream === 0, Errno.BADF);
          event.nbytes = BigInt(s.call.stdin.ready ?? 0);
        } else {
          check(entry.stream !== 0, Errno.BADF);
        }
      } else if (entry.kind === "file" && type === EventType.FD_READ) {
        const size = BigInt(entry.file.statSync().size);
        const position = BigInt(entry.file.seekSync(0, Deno.SeekMode.Current));
        event.nbytes = size > position ? size - position : 0n;
      } else if (entry.kind === "dir") {
        check(false, Errno.BADF);
      }
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === undefined) throw error;
      event.error = errno;
    }
    return event;
  }

  return {
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number): number {
      check(count > 0, Errno.INVAL);
      const view = s.memory.view();
      check(inPtr + count * SUBSCRIPTION_BYTES <= view.byteLength, Errno.FAULT);
      const ready: Event[] = [];
      const clocks: Clock[] = [];
      const now = monotonicNs();
      for (let i = 0; i < count; i++) {
        const at = inPtr + i * SUBSCRIPTION_BYTES;
        const userdata = view.getBigUint64(at, true);
        const type = view.getUint8(at + 8);
        if (type === EventType.CLOCK) {
          const id = view.getUint32(at + 16, true);
          const timeout = view.getBigUint64(at + 24, true);
          const flags = view.getUint16(at + 40, true);
          try {
            const current = clockNow(id);
            const wait = flags & ABSTIME ? timeout - current : timeout;
            clocks.push({ userdata, deadline: now + (wait > 0n ? wait : 0n) });
          } catch (error) {
            const errno = errnoOf(error);
            if (errno === undefined) throw error;
            ready.push({ userdata, error: errno, type, nbytes: 0n });
          }
        } else if (type === EventType.FD_READ || type === EventType.FD_WRITE) {
          ready.push(fdEvent(userdata, type, view.getUint32(at + 16, true)));
        } else {
          ready.push({ userdata, error: Errno.INVAL, type, nbytes: 0n });
        }
      }
      if (ready.length === 0 && clocks.length > 0) {
        const first = clocks.reduce((a, b) => a.deadline < b.deadline ? a : b);
        const wait = first.deadline - monotonicNs();
        // Not an effect, but it blocks the thread: a call running on the node's own thread must
        // move to a sandbox before it sleeps, so the hook hears of it too.
        if (wait > 0n) effect(s);
        sleepNs(wait);
      }
      const after = monotonicNs();
      for (const clock of clocks) {
        if (clock.deadline <= after) {
          ready.push({ userdata: clock.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n });
        }
      }
      const out = s.memory.view();
      check(outPtr + ready.length * EVENT_BYTES <= out.byteLength, Errno.FAULT);
      ready.forEach((event, i) => {
        const at = outPtr + i * EVENT_BYTES;
        out.setBigUint64(at, event.userdata, true);
        out.setUint16(at + 8, event.error, true);
        out.setUint8(at + 10, event.type);
        out.setBigUint64(at + 16, event.nbytes, true);
        out.setUint16(at + 24, 0, true);
      });
      out.setUint32(neventsPtr, ready.length, true);
      return 0;
    },
    sched_yield(): number {
      return 0;
    },
  };
}
