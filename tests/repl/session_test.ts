// The session writes to the process's own stdout and reads its stdin, so each test runs this
// file as a child program (the block at the end), against a GPMD in the test process.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { GvmNode } from "../../lib/node/node.ts";
import { runSession } from "../../lib/repl/session.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const COOKIE = "session-test-cookie";

/** Runs this file as a session child; `commands` as -c, else `stdin` piped in. */
async function session(commands: string[], stdin?: string) {
  const root = await Deno.makeTempDir({ prefix: "gvm-session-test-" });
  const home = homePaths(root);
  await using gpmd = await GpmdServer.start({ port: 0, home, cookie: COOKIE });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...RUN_PERMISSIONS,
        new URL(import.meta.url).pathname,
        String(gpmd.port),
        home.history,
        ...commands,
      ],
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
    }
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), home };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`runSession()` runs -c commands in order; the status is the last failure's", async () => {
  const { code, stdout, stderr } = await session(["math.add(1,2)", "nope.f()", "math.add(2,2)"]);
  assert.equal(stdout, "Adding Numbers From Wasm...\n\n3\nAdding Numbers From Wasm...\n\n4\n");
  assert.match(stderr, /^error: MODULE_NOT_FOUND: .*nope/m);
  assert.equal(code, 1);
});

Deno.test("`runSession()` reads piped lines without a prompt and stops at exit", async () => {
  const { code, stdout, stderr } = await session([], "math.add(2,3)\n\nexit\nmath.add(9,9)\n");
  assert.equal(stdout, "Adding Numbers From Wasm...\n\n5\nGoodbye :(\n");
  assert.equal(stderr, "");
  assert.equal(code, 0);
});

Deno.test("`runSession()` of piped input ending without exit ends with status 0", async () => {
  const { code, stdout } = await session([], "Node.list()\n");
  assert.equal(stdout, "(no connected nodes)\n");
  assert.equal(code, 0);
});

if (import.meta.main) {
  const [port, historyFile, ...commands] = Deno.args;
  const node = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: Number(port) },
    cookie: COOKIE,
    modulesDir: MODULES,
    workers: 1,
  });
  const status = await runSession({ node, commands, historyFile });
  node.close();
  Deno.exit(status);
}
