// `gvm --serve` runs until a signal and `gvm --detached` starts it again in the background, so
// each test runs this file as a child program (the block at the end), as main.ts would run it.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { parseCli } from "../../lib/cli/args.ts";
import { nodeStop } from "../../lib/cli/node_admin_cli.ts";
import { nodeFiles } from "../../lib/cli/node_files.ts";
import { complain } from "../../lib/cli/output.ts";
import { serveNode, startDetachedNode } from "../../lib/cli/serve_cli.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { formatError } from "../../lib/errors.ts";
import { GpmdClient, parseGpmdAddress } from "../../lib/gpmd/client.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { GvmNode } from "../../lib/node/node.ts";
import { OutputWatch } from "../integration/_harness.ts";
import { captureOutput } from "./_capture.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;

/** A temp GHOST_HOME with a GPMD; both gone on dispose. */
async function setting() {
  const root = await Deno.makeTempDir({ prefix: "gvm-serve-cli-test-" });
  const home = homePaths(root);
  const cookie = await loadCookie(home);
  const gpmd = await GpmdServer.start({ port: 0, home, cookie });
  return {
    home,
    cookie,
    gpmd,
    flags: ["--gpmd", `127.0.0.1:${gpmd.port}`, "--modules", MODULES],
    async [Symbol.asyncDispose]() {
      await gpmd[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("`serveNode()` serves until SIGTERM, with its status lines on stderr", async () => {
  await using s = await setting();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, SELF, ...s.flags, "--name", "node-srv", "--serve"],
    env: { GHOST_HOME: s.home.root },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new OutputWatch(child.stderr);
  const stdout = new OutputWatch(child.stdout);
  try {
    await stderr.waitFor(/Listening for nodes on port \d+\n/);
    assert.match(stderr.text, /^GVM has been created node-srv \(/);
    await using gpmd = await GpmdClient.connect({
      address: { host: "127.0.0.1", port: s.gpmd.port },
      cookie: s.cookie,
    });
    assert.deepEqual(await gpmd.discover(), ["node-srv"]);
    child.kill("SIGTERM");
    const status = await child.status;
    await Promise.all([stderr.done, stdout.done]);
    assert.equal(status.code, 0);
    assert.match(stderr.text, /Stopping \(SIGTERM\)\n$/);
    assert.equal(stdout.text, "", "a served node keeps stdout quiet");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }
});

Deno.test("`startDetachedNode()` leaves a node running with a pid file and a log; `gvm node stop` ends it", async () => {
  await using s = await setting();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, SELF, ...s.flags, "--name", "node-bg", "--detached"],
    env: { GHOST_HOME: s.home.root },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const files = nodeFiles(s.home, "node-bg");
  const match = /^Node node-bg started in the background \(pid (\d+), port (\d+)\); log in (.*)\n$/
    .exec(text);
  assert.ok(match, text);
  const pid = Number(match[1]);
  // Killed below only if `gvm node stop` did not end it: once it has, its pid may already be
  // another process's (tests run in parallel), and a SIGKILL would hit that stranger.
  let ended = false;
  try {
    assert.equal(match[3], files.log);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(files.pid)), {
      pid,
      name: "node-bg",
      port: Number(match[2]),
    });
    await using gpmd = await GpmdClient.connect({
      address: { host: "127.0.0.1", port: s.gpmd.port },
      cookie: s.cookie,
    });
    assert.deepEqual(await gpmd.discover(), ["node-bg"]);
    const stopped = await captureOutput(() => nodeStop(s.home, "node-bg"));
    ended = stopped.value === 0;
    assert.equal(stopped.stdout, `Stopped node-bg (pid ${pid})\n`);
    assert.equal(await Deno.stat(files.pid).then(() => true, () => false), false);
    const log = await Deno.readTextFile(files.log);
    assert.match(log, /GVM has been created node-bg/);
    assert.match(log, /Stopping \(SIGTERM\)\n$/);
  } finally {
    try {
      if (!ended) Deno.kill(pid, "SIGKILL");
    } catch {
      // Stopped already.
    }
  }
});

Deno.test("`startDetachedNode()` passes on the child's own error line", async () => {
  await using s = await setting();
  // Taken: the background node cannot register, and says why before it is ready.
  await using holder = await GpmdClient.connect({
    address: { host: "127.0.0.1", port: s.gpmd.port },
    cookie: s.cookie,
  });
  await holder.register({ name: "node-dup", id: "d".repeat(32), host: "127.0.0.1", port: 1 });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, SELF, ...s.flags, "--name", "node-dup", "--detached"],
    env: { GHOST_HOME: s.home.root },
    stdin: "null",
  }).output();
  assert.equal(code, 1);
  assert.match(new TextDecoder().decode(stderr), /^error: NAME_TAKEN: /);
});

if (import.meta.main) {
  let status = 1;
  try {
    const command = parseCli(Deno.args);
    if (command.kind !== "node") throw new Error(`not a node command: ${command.kind}`);
    const { options } = command;
    const home = homePaths();
    if (options.detached) {
      status = await startDetachedNode(home, Deno.args);
    } else {
      let notify: (line: string) => void = () => {};
      const node = await GvmNode.start({
        name: options.name,
        gpmd: parseGpmdAddress(options.gpmd),
        modulesDir: options.modules!,
        home,
        workers: 1,
        log: (line) => notify(line),
      });
      try {
        status = await serveNode(home, node, options.detachedChild, (fn) => notify = fn);
      } finally {
        node.close();
      }
    }
  } catch (error) {
    complain(formatError(error));
  }
  Deno.exit(status);
}
