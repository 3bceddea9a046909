// Inline attempts on the node's thread: a proven-short export runs as a plain call, a loop is
// stopped at the budget and handed to a sandbox, a module's failure is its own. No permissions.
import assert from "node:assert/strict";
import { InlineExecutor } from "../../lib/wasm/inline_executor.ts";
import type { PoolRequest } from "../../lib/wasm/sandbox_pool.ts";
import type { Entry } from "../../lib/wasm/sandbox_messages.ts";
import { loaded, PROGRAM } from "./_wasm_bytes.ts";

const program = loaded("prog", PROGRAM);

function request(entry: Entry): PoolRequest {
  return {
    type: "run",
    hash: program.sha256,
    moduleName: "prog",
    entry,
    env: [],
    maxPages: 16,
    dirs: [],
  };
}

const add = request({
  kind: "export",
  fn: "add",
  params: [{ type: "i32", value: 2 }, { type: "i32", value: 40 }],
});

Deno.test("`InlineExecutor.prepare()` compiles once per content, with what the reader proved", async () => {
  const executor = new InlineExecutor();
  const compiled = await executor.prepare(program, add);
  assert.equal(await executor.prepare(program, add), compiled, "compiled once");
  assert.deepEqual([...compiled.bounded].sort(), ["_start", "add", "boom"], "spin loops");
  assert.deepEqual(compiled.memory, { initial: 1, maximum: 16 }, "its memory comes from the pool");
  assert.deepEqual(compiled.imports, [
    { module: "wasi_snapshot_preview1", name: "proc_exit", kind: "function" },
  ]);
  assert.equal(compiled.heap, false);
});

Deno.test("`InlineExecutor.run()` runs a bounded export and gives its values", async () => {
  const executor = new InlineExecutor();
  const outcome = executor.run(await executor.prepare(program, add), add);
  assert.deepEqual(outcome, { kind: "done", values: [42], output: [] });
});

Deno.test("`InlineExecutor.run()` hands a loop to a sandbox at the budget", async () => {
  const executor = new InlineExecutor();
  const spin = request({ kind: "export", fn: "spin", params: [] });
  const outcome = executor.run(await executor.prepare(program, spin), spin);
  assert.deepEqual(outcome, { kind: "sandbox", reason: "budget" });
});

Deno.test("`InlineExecutor.run()` reports a module's own failure as failed, not sandbox", async () => {
  const executor = new InlineExecutor();
  const boom = request({ kind: "export", fn: "boom", params: [] });
  const outcome = executor.run(await executor.prepare(program, boom), boom);
  assert.equal(outcome.kind, "failed");
  assert.equal(outcome.kind === "failed" && outcome.error.code, "TRAP");
});
