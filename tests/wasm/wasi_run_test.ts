// The WASI host on modules spelled out byte by byte: exports, a command's exit code, and the
// import check fed by the module reader. No permissions needed.
import assert from "node:assert/strict";
import { encodeU32, readModule } from "../../lib/wasm/module_reader.ts";
import type { RunRequest } from "../../lib/wasm/sandbox_messages.ts";
import { runEntry, WasiHost } from "../../lib/wasm/wasi_run.ts";
import { assertGvmError } from "../_assert.ts";

const I32 = 0x7f;
const vec = (items: number[][]) => [...encodeU32(items.length), ...items.flat()];
const name = (text: string) => {
  const bytes = [...new TextEncoder().encode(text)];
  return [...encodeU32(bytes.length), ...bytes];
};
const sec = (id: number, body: number[]) => [id, ...encodeU32(body.length), ...body];
const body = (...code: number[]) => [code.length + 2, 0, ...code, 0x0b];
const wasm = (...sections: number[][]) =>
  new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()]);

// (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
// (memory (export "memory") 1)
// (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
// (func (export "_start") i32.const 3 call 0)
const PROGRAM = wasm(
  sec(1, vec([[0x60, 1, I32, 0], [0x60, 2, I32, I32, 1, I32], [0x60, 0, 0]])),
  sec(2, vec([[...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0, 0]])),
  sec(3, vec([[1], [2]])),
  sec(5, vec([[0, 1]])),
  sec(7, vec([[...name("memory"), 2, 0], [...name("add"), 0, 1], [...name("_start"), 0, 2]])),
  sec(10, vec([body(0x20, 0, 0x20, 1, 0x6a), body(0x41, 3, 0x10, 0)])),
);

// (import "env" "nothere" (func))
const BAD_IMPORT = wasm(
  sec(1, vec([[0x60, 0, 0]])),
  sec(2, vec([[...name("env"), ...name("nothere"), 0, 0]])),
);

function request(entry: RunRequest["entry"]): RunRequest {
  return {
    type: "run",
    callId: 1,
    hash: "h",
    moduleName: "prog",
    entry,
    env: [],
    maxPages: 16,
    dirs: [],
  };
}

const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);

Deno.test("`WasiHost.instantiate()` links a module and `runEntry()` calls one export", () => {
  const host = new WasiHost();
  const call = request({
    kind: "export",
    fn: "add",
    params: [{ type: "i32", value: 2 }, { type: "i32", value: 40 }],
  });
  host.prepare(call, () => {});
  const linked = host.instantiate(compile(PROGRAM), "prog", readModule(PROGRAM).imports);
  assert.deepEqual(runEntry(linked, call), [42]);
  host.release();
});

Deno.test("`runEntry()` turns a command's non-zero proc_exit into EXIT_CODE with its code", () => {
  const host = new WasiHost();
  const call = request({ kind: "command", argv: ["prog"] });
  host.prepare(call, () => {});
  const linked = host.instantiate(compile(PROGRAM), "prog", readModule(PROGRAM).imports);
  const error = assertGvmError(
    () => runEntry(linked, call),
    "EXIT_CODE",
    "prog exited with code 3",
  );
  assert.equal(error.exitCode, 3);
});

Deno.test("`WasiHost.instantiate()` names an import the VM does not provide, read from the bytes", () => {
  const host = new WasiHost();
  host.prepare(request({ kind: "command", argv: ["bad"] }), () => {});
  assertGvmError(
    () => host.instantiate(compile(BAD_IMPORT), "bad", readModule(BAD_IMPORT).imports),
    "BAD_MODULE",
    /^bad imports function env\.nothere, which this VM does not provide/,
  );
  // A module of the VM's own (`extra`) provides what it names.
  const linked = host.instantiate(compile(BAD_IMPORT), "bad", readModule(BAD_IMPORT).imports, {
    env: { nothere: () => {} },
  });
  assert.ok(linked.instance instanceof WebAssembly.Instance);
});
