// Messages a new user meets: each says what happened and what to do, in the user's own terms.
import assert from "node:assert/strict";
import { MODULES_DIR, runCommands, runGvm, tempHome, TestGpmd, TestNode } from "./_harness.ts";

Deno.test("Node.list() with no peers says so instead of printing an empty line", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, ["Node.list()"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /(?:^|\n)\(no connected nodes\)\n$/);
});

Deno.test("--modules and GVM_MODULES naming a missing folder are refused", async () => {
  await using home = await tempHome();
  const flag = await runGvm(["--modules", `${home.path}/nonexistent`], { home: home.path });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /^error: BAD_FLAGS: --modules \S+\/nonexistent: not a folder\n$/);
  const env = await runGvm([], {
    home: home.path,
    env: { GVM_MODULES: `${home.path}/nope` },
  });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /^error: BAD_FLAGS: GVM_MODULES \S+\/nope: not a folder\n$/);
});

Deno.test("Node.run connects first if need be; the accepting node says who connected", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using peer = await TestNode.start(home.path, gpmd.address);
  const result = await runCommands(home.path, gpmd, [
    `Node.run(${peer.name}, math.add(34,34))`,
    `Node.run(${peer.name}, math.add(1,1))`,
    "Node.run(node-0000, math)",
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /(?:^|\n)ID: {2}\S+\nAdding Numbers From Wasm\.\.\.\n68\nID: {2}\S+\n/,
  );
  // One line says so, once; a node that does not exist is named as such, with no bad advice.
  assert.equal(result.stderr.split(`Connected to ${peer.name}\n`).length, 2, result.stderr);
  assert.match(result.stderr, /error: NODE_NOT_FOUND: [^\n]*node-0000/);
  assert.doesNotMatch(result.stderr, /Node\.connect\(node-0000\)/);
  const me = /GVM has been created (\S+)/.exec(result.stderr)![1];
  await peer.stderr.waitFor(`${me} connected`);
});

Deno.test("help does not promise that Node.info() lists modules", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, ["help"], MODULES_DIR);
  assert.match(result.stdout, /Node\.info\(\) +Show this node's name, id, address and GPMD\n/);
});
