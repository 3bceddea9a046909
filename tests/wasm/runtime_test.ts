// The engine's front: what a call runs (planEntry, pure), and calls that stay inline or go to a
// sandbox process. The sandbox tests need --allow-run and --allow-read (deno task test).
import assert from "node:assert/strict";
import { ModuleCatalog } from "../../lib/wasm/catalog.ts";
import { planEntry, WasmRuntime } from "../../lib/wasm/runtime.ts";
import { SandboxPool } from "../../lib/wasm/sandbox_pool.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";
import { loaded, PROGRAM } from "./_wasm_bytes.ts";

const program = loaded("prog", PROGRAM);
const int = (value: bigint) => ({ type: "int" as const, value });

Deno.test("`planEntry()` runs an export with converted arguments, or the command", () => {
  assert.deepEqual(planEntry(program, { module: "prog", fn: "add", args: [int(1n), int(2n)] }), {
    entry: {
      kind: "export",
      fn: "add",
      params: [{ type: "i32", value: 1 }, { type: "i32", value: 2 }],
    },
    types: ["i32"],
  });
  assert.deepEqual(planEntry(program, { module: "prog", args: [int(7n)] }), {
    entry: { kind: "command", argv: ["prog", "7"] },
    types: [],
  });
  assertGvmError(
    () => planEntry(program, { module: "prog", fn: "nope", args: [] }),
    "EXPORT_NOT_FOUND",
    "prog has no export named nope; it exports add, _start, spin, boom",
  );
});

function runtime(isolation: "inline" | "process") {
  const pool = new SandboxPool({ size: 1 });
  const modules = new ModuleCatalog({ modulesDir: "/nonexistent-gvm-modules" });
  return { pool, runtime: new WasmRuntime({ catalog: modules, pool, isolation, timeoutMs: 2000 }) };
}

Deno.test("`WasmRuntime.call()` runs a short call inline and a loop in a sandbox, to its limit", async () => {
  const { pool, runtime: engine } = runtime("inline");
  using _pool = pool;
  const sum = await engine.call({ module: "prog", fn: "add", args: [int(40n), int(2n)] }, {
    loaded: program,
  });
  assert.deepEqual(sum, { types: ["i32"], values: [42] });
  assert.equal(pool.callCount, 0, "inline");
  await assertRejectsGvmError(
    engine.call({ module: "prog", fn: "spin", args: [] }, { loaded: program, timeoutMs: 300 }),
    "TIMEOUT",
    "prog.spin ran past its 0.3 s limit",
  );
  assert.equal(pool.callCount, 1, "moved to a sandbox");
});

Deno.test("`WasmRuntime.call()`: a burst of calls to an export past its budget tries it inline once", async () => {
  const { pool, runtime: engine } = runtime("inline");
  using _pool = pool;
  // All decided inline before the first attempt found the export long: the others must not each
  // spend a budget (or 50 ms waiting for a lost termination) of the node's thread finding it again.
  const calls = Array.from(
    { length: 4 },
    () =>
      engine.call({ module: "prog", fn: "spin", args: [] }, { loaded: program, timeoutMs: 300 }),
  );
  for (const call of calls) {
    await assertRejectsGvmError(call, "TIMEOUT", "prog.spin ran past its 0.3 s limit");
  }
  assert.equal(engine.inlineStats.attempts, 1);
  assert.equal(engine.inlineStats.dropped.budget, 1);
});

Deno.test("`WasmRuntime.call()` with process isolation runs every call in a sandbox", async () => {
  const { pool, runtime: engine } = runtime("process");
  using _pool = pool;
  const sum = await engine.call({ module: "prog", fn: "add", args: [int(1n), int(2n)] }, {
    loaded: program,
  });
  assert.deepEqual(sum.values, [3]);
  await assertRejectsGvmError(
    engine.call({ module: "prog", args: [] }, { loaded: program }),
    "EXIT_CODE",
    "prog exited with code 3",
  );
  assert.equal(pool.callCount, 2);
});
