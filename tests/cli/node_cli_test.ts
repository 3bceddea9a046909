// `gvm [flags]` starts a node and runs its session on the process's own stdio, so each test
// runs this file as a child program (the block at the end), as main.ts would run it.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { parseCli } from "../../lib/cli/args.ts";
import { runNode } from "../../lib/cli/node_cli.ts";
import { complain } from "../../lib/cli/output.ts";
import { formatError, toGvmError } from "../../lib/errors.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { homePaths } from "../../lib/home.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;

/** Runs `gvm ...args` (this file) in a fresh GHOST_HOME with a GPMD of its own. */
async function gvm(...args: string[]) {
  const root = await Deno.makeTempDir({ prefix: "gvm-node-cli-test-" });
  const home = homePaths(root);
  await using gpmd = await GpmdServer.start({ port: 0, home, cookie: await loadCookie(home) });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...RUN_PERMISSIONS,
        new URL(import.meta.url).pathname,
        "--gpmd",
        `127.0.0.1:${gpmd.port}`,
        ...args,
      ],
      env: { GHOST_HOME: root, GVM_MODULES: "" },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`runNode()` with -c keeps stdout for results and puts its status lines on stderr", async () => {
  const run = await gvm("--modules", MODULES, "--name", "node-cli", "-c", "math.add(1,2)");
  assert.equal(run.stdout, "Adding Numbers From Wasm...\n\n3\n");
  assert.match(
    run.stderr,
    /^GVM has been created node-cli \([0-9a-f-]{36}\)\nListening for nodes on port \d+\n$/,
  );
  assert.equal(run.code, 0);
});

Deno.test("`runNode()` exits with the last failing command's status", async () => {
  const run = await gvm("--modules", MODULES, "-c", "nope.f()");
  assert.equal(run.code, 1);
  assert.match(run.stderr, /error: MODULE_NOT_FOUND: /);
});

Deno.test("`runNode()` refuses a --modules or --allow-dir that is not a folder", async () => {
  const modules = await gvm("--modules", "/nonexistent-gvm-modules", "-c", "exit");
  assert.equal(modules.code, 2);
  assert.match(
    modules.stderr,
    /^error: BAD_FLAGS: --modules \/nonexistent-gvm-modules: not a folder\n$/,
  );
  const dir = await gvm("--modules", MODULES, "--allow-dir", "/nonexistent-gvm-dir", "-c", "exit");
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /^error: BAD_FLAGS: --allow-dir \/nonexistent-gvm-dir: not a folder\n$/);
});

Deno.test("`runNode()` refuses a bad --listen with BAD_FLAGS", async () => {
  const run = await gvm("--modules", MODULES, "--listen", "127.0.0.1:99999", "-c", "exit");
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^error: BAD_FLAGS: Cannot parse --listen '127\.0\.0\.1:99999'\n$/);
});

if (import.meta.main) {
  let status: number;
  try {
    const command = parseCli(Deno.args);
    if (command.kind !== "node") throw new Error(`not a node command: ${command.kind}`);
    status = await runNode(homePaths(), command.options);
  } catch (error) {
    complain(formatError(error));
    status = toGvmError(error).code === "BAD_FLAGS" ? 2 : 1;
  }
  Deno.exit(status);
}
