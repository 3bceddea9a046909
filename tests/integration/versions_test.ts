// Which copy of a module runs: `math@v0.0.1` from GPMD's store, Node.run's caller's copy (sent by
// hash) or `@math` (the remote node's own), and `gvm wasm rm`.
import assert from "node:assert/strict";
import { MODULES_DIR, runCommands, runGvm, tempHome, TestGpmd, TestNode } from "./_harness.ts";

Deno.test("math@VERSION, the caller's copy by hash, @math, and gvm wasm rm", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  // Two nodes whose folders hold different modules under the same name `math`.
  const dirA = `${home.path}/a`;
  const dirB = `${home.path}/b`;
  await Deno.mkdir(dirA);
  await Deno.mkdir(dirB);
  await Deno.copyFile(`${MODULES_DIR}/math.wasm`, `${dirA}/math.wasm`);
  await Deno.copyFile(`${MODULES_DIR}/types.wasm`, `${dirB}/math.wasm`);
  const upload = await runGvm([
    "wasm",
    "upload",
    "--gpmd",
    gpmd.address,
    "--name",
    "math",
    "--version",
    "v0.0.1",
    "--file",
    `${MODULES_DIR}/types.wasm`,
  ], { home: home.path });
  assert.equal(upload.code, 0, upload.stderr);
  await using b = await TestNode.start(home.path, gpmd.address, { modules: dirB });

  const result = await runCommands(home.path, gpmd, [
    "math@v0.0.1.add64(2,3)", // The stored version, though the folder's math has no add64.
    `Node.run(${b.name}, math.mul(6,7))`, // A's copy, sent by hash: B's math has no mul.
    `Node.run(${b.name}, @math.add64(4,4))`, // B's own copy.
    `Node.run(${b.name}, math@v0.0.1.add64(1,9))`,
  ], dirA);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n").filter((l) => !/^(GVM has|Listening|ID: )/.test(l));
  assert.deepEqual(lines, ["5", "42", "8", "10", ""]);

  const own = await runCommands(home.path, gpmd, [`Node.run(${b.name}, @math.mul(1,1))`], dirA);
  assert.match(own.stderr, new RegExp(`error: EXPORT_NOT_FOUND: on ${b.name}: math has no export`));

  const rm = await runGvm(
    ["wasm", "rm", "--gpmd", gpmd.address, "--name=math", "--version=v0.0.1"],
    {
      home: home.path,
    },
  );
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, "Removed math v0.0.1\n");
  const gone = await runCommands(home.path, gpmd, ["math@v0.0.1.add64(1,1)"], dirA);
  assert.match(
    gone.stderr,
    /^error: MODULE_NOT_FOUND: GPMD stores no (module named|version v0\.0\.1 of) math/m,
  );
  const again = await runGvm([
    "wasm",
    "rm",
    "--gpmd",
    gpmd.address,
    "--name=math",
    "--version=v0.0.1",
  ], {
    home: home.path,
  });
  assert.equal(again.code, 1);
  assert.match(
    again.stderr,
    /^error: MODULE_NOT_FOUND: GPMD stores no version v0\.0\.1 of math\n$/,
  );
  const list = await runGvm(["wasm", "list", "--gpmd", gpmd.address], { home: home.path });
  assert.match(list.stdout, /^No modules stored/);
});
