// Each WASI call family that needs no folder, on its own against a bare WasiState: what each
// file's calls write, and the errno each throws. No permissions needed.
import assert from "node:assert/strict";
import { argsEnvCalls } from "../../../lib/wasm/wasi/args_env.ts";
import { AbortTrap, assemblyScriptImports } from "../../../lib/wasm/wasi/assemblyscript.ts";
import { clockCalls, ClockId, clockNow, monotonicNs } from "../../../lib/wasm/wasi/clocks.ts";
import { Errno } from "../../../lib/wasm/wasi/errno.ts";
import { fdCalls } from "../../../lib/wasm/wasi/fd_calls.ts";
import { pollCalls } from "../../../lib/wasm/wasi/poll.ts";
import { procCalls, WasiExit } from "../../../lib/wasm/wasi/proc_calls.ts";
import { socketCalls } from "../../../lib/wasm/wasi/sockets.ts";
import { errnoOfCall, state } from "./_state.ts";

Deno.test("`argsEnvCalls()` writes sizes, then pointers to NUL-terminated strings", () => {
  const { s, view, bytes } = state();
  const calls = argsEnvCalls(s);
  calls.args_sizes_get(0, 4);
  assert.deepEqual([view.getUint32(0, true), view.getUint32(4, true)], [2, 5 + 7]);
  calls.args_get(16, 64);
  assert.equal(view.getUint32(16, true), 64);
  assert.equal(view.getUint32(20, true), 69);
  assert.equal(new TextDecoder().decode(bytes.subarray(64, 76)), "prog\0héllo\0");
  calls.environ_sizes_get(0, 4);
  assert.deepEqual([view.getUint32(0, true), view.getUint32(4, true)], [1, 4]);
});

Deno.test("`clockCalls()` gives a resolution, a monotonic time and random bytes; bad ids are INVAL", () => {
  const { s, view, bytes } = state();
  const calls = clockCalls(s);
  calls.clock_res_get(ClockId.MONOTONIC, 0);
  assert.equal(view.getBigUint64(0, true), 1000n);
  const before = monotonicNs();
  calls.clock_time_get(ClockId.MONOTONIC, 0n, 8);
  assert.ok(view.getBigUint64(8, true) >= before);
  assert.ok(clockNow(ClockId.REALTIME) > 1_600_000_000_000_000_000n, "after 2020");
  assert.equal(errnoOfCall(() => calls.clock_time_get(9, 0n, 8)), Errno.INVAL);
  calls.random_get(100, 64);
  assert.ok(bytes.subarray(100, 164).some((b) => b !== 0));
});

Deno.test("`procCalls()`: proc_exit unwinds with its code, proc_raise is not supported", () => {
  const calls = procCalls();
  assert.throws(
    () => calls.proc_exit(-1),
    (e: unknown) => e instanceof WasiExit && e.code === 2 ** 32 - 1,
  );
  assert.equal(calls.proc_raise(9), Errno.NOSYS);
});

Deno.test("`socketCalls()` checks the descriptor, then says it is not a socket", () => {
  const calls = socketCalls(state().s);
  assert.equal(calls.sock_send(1, 0, 0, 0, 0), Errno.NOTSOCK);
  assert.equal(errnoOfCall(() => calls.sock_recv(42, 0, 0, 0, 0, 0)), Errno.BADF);
  assert.equal(errnoOfCall(() => calls.sock_shutdown(1, 0)), Errno.INVAL);
});

Deno.test("`assemblyScriptImports()`: abort traps with its message and place, trace prints", () => {
  const { s, view, bytes } = state();
  const put = (at: number, text: string) => {
    view.setUint32(at - 4, text.length * 2, true);
    for (let i = 0; i < text.length; i++) view.setUint16(at + i * 2, text.charCodeAt(i), true);
  };
  put(104, "oops");
  put(204, "a.ts");
  const lines: string[] = [];
  const imports = assemblyScriptImports(s.memory, (line) => lines.push(line));
  assert.throws(
    () => imports.abort(104, 204, 3, 7),
    (e: unknown) => e instanceof AbortTrap && e.message === "oops at a.ts:3:7",
  );
  assert.throws(
    () => imports.abort(0, 0, 0, 0),
    (e: unknown) => e instanceof AbortTrap && e.message === "abort",
  );
  imports.trace(104, 2, 1.5, 2);
  assert.deepEqual(lines, ["trace: oops 1.5, 2\n"]);
  assert.equal(typeof imports.seed(), "number");
  assert.equal(bytes.length, 65536);
});

Deno.test("`fdCalls()`: fd_write gathers iovecs to the call's output; preopens are named", () => {
  const { s, view, bytes, written } = state();
  const calls = fdCalls(s);
  bytes.set(new TextEncoder().encode("hello, world"), 100);
  view.setUint32(0, 100, true);
  view.setUint32(4, 7, true);
  view.setUint32(8, 107, true);
  view.setUint32(12, 5, true);
  assert.equal(calls.fd_write(1, 0, 2, 16), Errno.SUCCESS);
  assert.equal(view.getUint32(16, true), 12);
  assert.deepEqual(written, [{ fd: 1, text: "hello, world" }]);
  assert.equal(calls.fd_prestat_get(3, 32), Errno.SUCCESS);
  assert.equal(view.getUint32(36, true), 5, "length of /data");
  calls.fd_prestat_dir_name(3, 200, 5);
  assert.equal(new TextDecoder().decode(bytes.subarray(200, 205)), "/data");
  assert.equal(errnoOfCall(() => calls.fd_prestat_get(1, 32)), Errno.BADF);
});

Deno.test("`pollCalls()`: a clock that has passed fires at once; output streams are ready", () => {
  const { s, view } = state();
  const calls = pollCalls(s);
  // Subscription 1: relative clock, timeout 0. Subscription 2: fd_write on stdout.
  view.setBigUint64(0, 11n, true);
  view.setUint8(8, 0);
  view.setUint32(16, ClockId.MONOTONIC, true);
  view.setBigUint64(24, 0n, true);
  view.setBigUint64(48, 22n, true);
  view.setUint8(56, 2);
  view.setUint32(64, 1, true);
  assert.equal(calls.poll_oneoff(0, 200, 2, 400), Errno.SUCCESS);
  const n = view.getUint32(400, true);
  assert.ok(n >= 1);
  const userdata = Array.from({ length: n }, (_, i) => view.getBigUint64(200 + i * 32, true));
  assert.ok(userdata.includes(22n), "stdout is ready");
  assert.equal(calls.sched_yield(), Errno.SUCCESS);
  assert.equal(errnoOfCall(() => calls.poll_oneoff(0, 200, 0, 400)), Errno.INVAL);
});
