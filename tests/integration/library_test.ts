import assert from "node:assert/strict";
import { GpmdServer, GvmError, GvmNode, homePaths } from "../../mod.ts";
import { MODULES_DIR, tempHome } from "./_harness.ts";

const int = (value: bigint) => ({ type: "int" as const, value });

Deno.test("library API: a node in-process registers, discovers and calls wasm", async () => {
  await using home = await tempHome();
  const cookie = "library-test-cookie";
  await using gpmd = await GpmdServer.start({ port: 0, home: homePaths(home.path), cookie });
  await using node = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    cookie,
    modulesDir: MODULES_DIR,
    name: "node-1234",
  });
  assert.deepEqual(await node.discover(), ["node-1234"]);
  assert.deepEqual(gpmd.status().nodes, ["node-1234"]);

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

  await assert.rejects(
    node.call({ module: "math", fn: "add", args: [int(1n)] }),
    (error: unknown) => error instanceof GvmError && error.code === "BAD_ARGS",
  );
  node.close();
});

Deno.test("library API: a wrong cookie cannot register", async () => {
  await using home = await tempHome();
  await using gpmd = await GpmdServer.start({
    port: 0,
    home: homePaths(home.path),
    cookie: "right",
  });
  await assert.rejects(
    GvmNode.start({
      gpmd: { host: "127.0.0.1", port: gpmd.port },
      cookie: "wrong",
      modulesDir: MODULES_DIR,
    }),
    (error: unknown) => error instanceof GvmError && error.code === "AUTH_FAILED",
  );
  assert.deepEqual(gpmd.status().nodes, []);
});
