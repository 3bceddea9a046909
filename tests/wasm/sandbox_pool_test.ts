// Sandbox processes (sandbox_main.ts in a child `deno run` with no permissions) fed by the pool.
// Needs --allow-run and --allow-read (deno task test).
import assert from "node:assert/strict";
import { SandboxPool } from "../../lib/wasm/sandbox_pool.ts";
import { sandboxCommand, SandboxProcess } from "../../lib/wasm/sandbox_process.ts";
import { encodeSandboxMessage } from "../../lib/wasm/sandbox_protocol.ts";
import type { RunRequest, SandboxReply } from "../../lib/wasm/sandbox_messages.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { BAD_IMPORT, loaded, PROGRAM } from "./_wasm_bytes.ts";

const program = loaded("prog", PROGRAM);

function request(fn: string, values: number[] = []): RunRequest {
  return {
    type: "run",
    callId: 1,
    hash: program.sha256,
    moduleName: "prog",
    entry: { kind: "export", fn, params: values.map((value) => ({ type: "i32", value })) },
    env: [],
    maxPages: 16,
    dirs: [],
  };
}

Deno.test("`sandboxCommand()` runs the sandbox entry with no permissions but the mapped folders", () => {
  const bare = sandboxCommand([]);
  assert.ok(bare.at(-1)!.endsWith("/lib/wasm/sandbox_main.ts"));
  assert.ok(!bare.some((arg) => arg.startsWith("--allow")));
  const mapped = sandboxCommand([{ host: "/srv/data", guest: "/data" }]);
  assert.ok(mapped.includes("--allow-read=/srv/data"));
  assert.ok(mapped.includes("--allow-write=/srv/data"));
});

Deno.test("a `SandboxProcess` runs a call sent as a frame and replies with its values", async () => {
  const replies: SandboxReply[] = [];
  const { promise: replied, resolve } = Promise.withResolvers<void>();
  const { promise: exited, resolve: onExit } = Promise.withResolvers<string>();
  const sandbox = new SandboxProcess(sandboxCommand([]), (reply) => {
    replies.push(reply);
    if (reply.type !== "out") resolve();
  }, onExit);
  sandbox.send(encodeSandboxMessage(request("add", [2, 40]), program.runnable));
  await replied;
  assert.deepEqual(replies, [{ type: "done", callId: 1, values: [42] }]);
  sandbox.kill();
  assert.match(await exited, /killed by SIGKILL/);
  assert.equal(sandbox.dead, true);
});

Deno.test("`SandboxPool.run()` runs calls in a sandbox, stops a loop at its limit, names a missing import", async () => {
  using pool = new SandboxPool({ size: 1 });
  const { callId: _, ...add } = request("add", [1, 2]);
  assert.deepEqual(await pool.run(add, program.runnable, { timeoutMs: 5000 }), [3]);
  const { callId: __, ...spin } = request("spin");
  await assertRejectsGvmError(
    pool.run(spin, program.runnable, { timeoutMs: 300 }),
    "TIMEOUT",
    "prog.spin",
  );
  const bad = loaded("bad", BAD_IMPORT);
  await assertRejectsGvmError(
    pool.run(
      { ...add, hash: bad.sha256, moduleName: "bad", entry: { kind: "command", argv: ["bad"] } },
      bad.runnable,
      { timeoutMs: 5000 },
    ),
    "BAD_MODULE",
    "bad imports function env.nothere, which this VM does not provide",
  );
  assert.equal(pool.callCount, 3);
});
