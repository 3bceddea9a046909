// Defects found by trying the product from outside, each pinned by the command that showed it.
import assert from "node:assert/strict";
import {
  FIXTURES_DIR,
  gvmCommand,
  GvmProcess,
  MODULES_DIR,
  runGvm,
  tempHome,
  TestGpmd,
} from "./_harness.ts";

Deno.test("a second gvm gpmd start in the same home is one error line, not two nested", async () => {
  await using home = await tempHome();
  await using _gpmd = await TestGpmd.start(home.path);
  const again = await runGvm(["gpmd", "start", "--port", "0"], { home: home.path });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: [A-Z_]+: Another GPMD \(pid \d+, port \d+\)/);
  assert.equal(again.stderr.match(/error:/g)?.length, 1, again.stderr);
  assert.equal(again.stderr.trimEnd().split("\n").length, 1, again.stderr);
});

/** The state letter of process `pid` (R, S, Z ...), or undefined once it is gone. */
async function processState(pid: number): Promise<string | undefined> {
  // `ps`, not /proc: reading /proc needs --allow-all, which `deno task test` does not give.
  const out = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const state = new TextDecoder().decode(out.stdout).trim();
  return state === "" ? undefined : state[0];
}

for (const [signal, status] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  Deno.test(`${signal} to a -c node stops the sandbox running its call before it exits`, async () => {
    await using home = await tempHome();
    await using gpmd = await TestGpmd.start(home.path);
    await using node = new GvmProcess(
      ["--gpmd", gpmd.address, "--modules", FIXTURES_DIR, "-c", "spin.announce()"],
      { home: home.path },
    );
    await node.stdout.waitFor(/^spinning$/m);
    const out = await new Deno.Command("pgrep", {
      args: ["-P", String(node.child.pid)],
      stdout: "piped",
    }).output();
    const sandboxes = new TextDecoder().decode(out.stdout).trim().split("\n").map(Number);
    assert.ok(sandboxes.length > 0 && sandboxes[0] > 0, "no sandbox process");
    node.kill(signal);
    assert.equal((await node.exit()).code, status);
    // Killed by the node on its way out, not left spinning until its watchdog sees the node gone.
    for (const pid of sandboxes) assert.notEqual(await processState(pid), "R", `sandbox ${pid}`);
  });
}

Deno.test("gvm run --timeout reports its limit in seconds, the unit of the flag", async () => {
  await using home = await tempHome();
  const run = await runGvm(["run", "--timeout", "0.5", `${FIXTURES_DIR}/spin.wasm`], {
    home: home.path,
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: TIMEOUT: .*spin\.wasm ran past its 0\.5 s limit\n$/);
});

Deno.test("help lists a module symlinked into the modules folder, as it runs", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const modules = await Deno.makeTempDir({ prefix: "gvm-test-modules-" });
  try {
    await Deno.symlink(`${MODULES_DIR}/math.wasm`, `${modules}/linked.wasm`);
    await Deno.symlink(`${modules}/nowhere.wasm`, `${modules}/dangling.wasm`);
    const run = await runGvm(
      ["--gpmd", gpmd.address, "--modules", modules, "-c", "help", "-c", "linked.add(1,2)"],
      { home: home.path },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Modules: linked$/m);
    assert.match(run.stdout, /^3$/m);
  } finally {
    await Deno.remove(modules, { recursive: true });
  }
});

Deno.test("a FIFO or folder named NAME.wasm in the modules folder fails at once, never hangs", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const modules = await Deno.makeTempDir({ prefix: "gvm-test-modules-" });
  try {
    const made = await new Deno.Command("mkfifo", { args: [`${modules}/fifo.wasm`] }).output();
    assert.ok(made.success);
    await Deno.mkdir(`${modules}/folder.wasm`);
    // Waited for with a deadline: before the fix the first command never ended.
    await using node = new GvmProcess(
      ["--gpmd", gpmd.address, "--modules", modules, "-c", "fifo", "-c", "folder"],
      { home: home.path },
    );
    await node.stderr.waitFor(/^error: BAD_MODULE: .*\/fifo\.wasm is not a regular file$/m);
    await node.stderr.waitFor(/^error: BAD_MODULE: .*\/folder\.wasm is not a regular file$/m);
    assert.equal((await node.exit()).code, 1);
  } finally {
    await Deno.remove(modules, { recursive: true });
  }
});

Deno.test("gvm node list|stop ignore a stale pid file whose pid another process now has", async () => {
  await using home = await tempHome();
  await Deno.mkdir(`${home.path}/nodes`);
  const stranger = new Deno.Command("sleep", { args: ["60"] }).spawn();
  try {
    await Deno.writeTextFile(
      `${home.path}/nodes/ghost.pid`,
      JSON.stringify({ pid: stranger.pid, name: "ghost", port: 1 }) + "\n",
    );
    const list = await runGvm(["node", "list"], { home: home.path });
    assert.equal(list.code, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /ghost/);
    const stop = await runGvm(["node", "stop", "ghost"], { home: home.path });
    assert.equal(stop.code, 1);
    assert.match(stop.stderr, /^error: NODE_NOT_FOUND: /);
    // Still running: it was never signalled.
    assert.equal(await processState(stranger.pid) !== undefined, true);
    assert.notEqual(await processState(stranger.pid), "Z");
  } finally {
    stranger.kill();
    await stranger.status;
  }
});

/**
 * Reads the first chunk of `child`'s stdout, then goes away as `head -c` does; resolves with how
 * the child ended, killing it (SIGKILL) if it is still running 10 s later.
 */
async function statusAfterReaderGoes(child: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const status = await child.status;
  clearTimeout(deadline);
  return status;
}

Deno.test("-c output read by `head`: gvm ends (141) when its reader goes, not after the call", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const child = gvmCommand([
    "--gpmd",
    gpmd.address,
    "--modules",
    FIXTURES_DIR,
    // About 65 GB of output: minutes of work for nobody if gvm goes on.
    "-c",
    "flood.run(1000000)",
    "-c",
    "mapwork.fib(5)",
  ], {
    env: { GHOST_HOME: home.path, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const status = await statusAfterReaderGoes(child);
  assert.equal(status.signal, null, "killed at the deadline: gvm went on without a reader");
  assert.equal(status.code, 141);
  assert.doesNotMatch(await stderr, /^error: /m);
});

Deno.test("gvm run | head: the program's writes fail with EPIPE once the reader has gone", async () => {
  await using home = await tempHome();
  const child = gvmCommand(["run", `${FIXTURES_DIR}/yes.wasm`], {
    env: { GHOST_HOME: home.path, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const status = await statusAfterReaderGoes(child);
  assert.equal(status.signal, null, "killed at the deadline: the program never saw the pipe close");
  // yes.wasm exits 3 when a write fails.
  assert.equal(status.code, 3);
});
