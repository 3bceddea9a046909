// The WASI host on modules spelled out byte by byte: exports, a command's exit code, and the
// import check fed by the module reader. No permissions needed.
import assert from "node:assert/strict";
import { readModule } from "../../lib/wasm/module_reader.ts";
import type { RunRequest } from "../../lib/wasm/sandbox_messages.ts";
import { runEntry, WasiHost } from "../../lib/wasm/wasi_run.ts";
import { assertGvmError } from "../_assert.ts";
import { BAD_IMPORT, PROGRAM } from "./_wasm_bytes.ts";

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
