// Nodes with no prompt: `gvm --serve` in the foreground, `gvm --detached` in the background with
// its pid and log in GHOST_HOME, and `gvm node list|stop` to see and end them.
import assert from "node:assert/strict";
import { GvmProcess, MODULES_DIR, runCommands, runGvm, tempHome, TestGpmd } from "./_harness.ts";

Deno.test("gvm --serve serves peers with no prompt, status on stderr, until SIGTERM", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using served = new GvmProcess(
    ["--serve", "--gpmd", gpmd.address, "--modules", MODULES_DIR, "--name", "node-served"],
    { home: home.path },
  );
  await served.stderr.waitFor(/Listening for nodes on port \d+\n/);
  const result = await runCommands(home.path, gpmd, ["Node.run(node-served, math.add(2,3))"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n5\n$/);
  await served.stderr.waitFor(/node-\d+ connected\n/);
  served.kill("SIGTERM");
  const exit = await served.exit();
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stdout, "", "no prompt, nothing on stdout");
});

Deno.test("gvm --detached runs in the background; node list shows it; node stop ends it", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const flags = ["--gpmd", gpmd.address, "--modules", MODULES_DIR, "--name", "node-bg"];
  const started = await runGvm(["--detached", ...flags], { home: home.path });
  assert.equal(started.code, 0, started.stderr);
  const match = /^Node node-bg started in the background \(pid (\d+), port (\d+)\); log in (\S+)\n$/
    .exec(started.stdout);
  assert.ok(match, started.stdout);
  const [, pid, port, log] = match;
  assert.equal(log, `${home.path}/nodes/node-bg.log`);
  try {
    const list = await runGvm(["node", "list"], { home: home.path });
    assert.equal(list.stdout, `NAME     PID      PORT\nnode-bg  ${pid.padEnd(9)}${port}\n`);
    const run = await runCommands(home.path, gpmd, ["Node.run(node-bg, math.mul(6,7))"]);
    assert.match(run.stdout, /\n42\n$/, run.stderr);
    // The same name twice is refused by GPMD, and said so by the command that tried.
    const twice = await runGvm(["--detached", ...flags], { home: home.path });
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^error: NAME_TAKEN: /);
  } finally {
    const stop = await runGvm(["node", "stop", "node-bg"], { home: home.path });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, `Stopped node-bg (pid ${pid})\n`);
  }
  assert.match(
    await Deno.readTextFile(log),
    /GVM has been created node-bg[^]*Stopping \(SIGTERM\)/,
  );
  const after = await runGvm(["node", "list"], { home: home.path });
  assert.match(after.stdout, /^No headless nodes running/);
  const again = await runGvm(["node", "stop", "node-bg"], { home: home.path });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: NODE_NOT_FOUND: No headless node named node-bg/);
});
