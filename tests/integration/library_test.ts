import assert from "node:assert/strict";
import { assertRejectsGvmError } from "../_assert.ts";
import { MODULES_DIR, tempHome } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

const int = (value: bigint) => ({ type: "int" as const, value });

Deno.test("library API: a node in-process registers, discovers and calls wasm", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "library-test-cookie");
  await using node = await startInProcessNode(gpmd, MODULES_DIR, { name: "node-1234" });
  assert.deepEqual(await node.discover(), ["node-1234"]);
  assert.deepEqual(gpmd.server.status().nodes, ["node-1234"]);

  const output: string[] = [];
  const result = await node.call({ module: "math", fn: "add", args: [int(1n), int(2n)] }, {
    onOutput: (_fd, data) => output.push(new TextDecoder().decode(data)),
  });
  assert.deepEqual(result, { types: ["i32"], values: [3] });
  assert.equal(output.join(""), "Adding Numbers From Wasm...\n");

  const big = await node.call({
    module: "types",
    fn: "add64",
    args: [int(-(2n ** 63n)), int(2n ** 63n - 1n)],
  });
  assert.deepEqual(big.values, [-1n]);

  await assertRejectsGvmError(
    node.call({ module: "math", fn: "add", args: [int(1n)] }),
    "BAD_ARGS",
  );
  node.close();
});

Deno.test("library API: a wrong cookie cannot register", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "right");
  await assertRejectsGvmError(
    startInProcessNode(gpmd, MODULES_DIR, { cookie: "wrong" }),
    "AUTH_FAILED",
  );
  assert.deepEqual(gpmd.server.status().nodes, []);
});

Deno.test("library API: calls get a fresh instance unless keepInstance is asked for", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "keep-test");
  await using node = await startInProcessNode(gpmd, MODULES_DIR, { workers: 1 });
  const alloc = { module: "types", fn: "alloc", args: [{ type: "int" as const, value: 16n }] };
  const fresh = [(await node.call(alloc)).values[0], (await node.call(alloc)).values[0]];
  assert.equal(fresh[0], fresh[1], "a fresh instance starts its allocator over");
  const kept = [
    (await node.call(alloc, { keepInstance: true })).values[0] as number,
    (await node.call(alloc, { keepInstance: true })).values[0] as number,
  ];
  assert.ok(kept[1] > kept[0], `a kept instance remembers its memory: ${kept}`);
});
