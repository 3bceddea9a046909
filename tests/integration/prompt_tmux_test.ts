// Drives the interactive prompt in a real terminal (tmux): history with Up, Tab completion,
// Ctrl-C on an empty line, Ctrl-D.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { FIXTURES_DIR, MODULES_DIR, tempHome, TestGpmd, TestNode } from "./_harness.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

// A private tmux server per test run: the user's own tmux sessions are never touched.
const SOCKET = `gvm-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", SOCKET, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

class Terminal implements AsyncDisposable {
  constructor(readonly session: string) {}

  static async open(home: string, gpmd: string, modules = MODULES_DIR): Promise<Terminal> {
    const session = `gvm-test-${crypto.randomUUID().slice(0, 8)}`;
    const command = [
      "env",
      `GHOST_HOME=${home}`,
      "NO_COLOR=1",
      Deno.execPath(),
      "run",
      ...RUN_PERMISSIONS,
      MAIN,
      "--gpmd",
      gpmd,
      "--modules",
      modules,
      "--name",
      "node-5651",
    ].map((part) => `'${part}'`).join(" ");
    await tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "40", `${command}; sleep 30`);
    return new Terminal(session);
  }

  screen(): Promise<string> {
    return tmux("capture-pane", "-p", "-t", this.session);
  }

  keys(...keys: string[]): Promise<string> {
    return tmux("send-keys", "-t", this.session, ...keys);
  }

  // The screen has no event to wait on, so poll it against a deadline.
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`Screen never matched ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await tmux("kill-session", "-t", this.session).catch(() => {});
  }
}

Deno.test("the terminal prompt: history, Tab completion, Ctrl-C and Ctrl-D", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  {
    await using term = await Terminal.open(home.path, gpmd.address);
    await term.waitFor(/\(node-5651\) >$/m);
    await term.keys("math.add(1,2)", "Enter");
    await term.waitFor(/Adding Numbers From Wasm\.\.\.\n\n3\n\(node-5651\) >$/m);

    await term.keys("Up");
    await term.waitFor(/\(node-5651\) > math\.add\(1,2\)$/m);
    await term.keys("C-u");

    // Keys sent in one burst reach readline as a paste, where Tab is text; so one key a step.
    await term.keys("ty");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > types$/m);
    await term.keys(".ad");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > types\.add$/m);
    await term.keys("Tab");
    await term.waitFor(/types\.add64\(\s+types\.addf32\(/);
    await term.keys("C-u");
    await term.keys("Node.discov");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > Node\.discover\($/m);
    await term.keys(")", "Enter");
    await term.waitFor(/^node-5651$/m);

    await term.keys("C-c");
    await term.waitFor(/To exit, type exit or press Ctrl-D/);
    await term.keys("math.mul(6,7)", "Enter");
    await term.waitFor(/^42$/m);
    await term.keys("C-d");
    await term.waitFor(/Goodbye :\(/);
  }
  const history = await Deno.readTextFile(`${home.path}/history`);
  assert.equal(history, "math.add(1,2)\nNode.discover()\nmath.mul(6,7)\n");
  {
    // History survives a restart.
    await using term = await Terminal.open(home.path, gpmd.address);
    await term.waitFor(/\(node-5651\) >$/m);
    await term.keys("Up");
    await term.waitFor(/\(node-5651\) > math\.mul\(6,7\)$/m);
    await term.keys("C-u", "exit", "Enter");
    await term.waitFor(/Goodbye :\(/);
  }
});

Deno.test("Ctrl-C at the prompt cancels the running call and the prompt goes on", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await Terminal.open(home.path, gpmd.address, FIXTURES_DIR);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys("spin.announce()", "Enter");
  await term.waitFor(/^spinning$/m);
  await term.keys("C-c");
  await term.waitFor(/error: CANCELLED: spin\.announce was cancelled\n\(node-5651\) >$/m);
  await term.keys("spin.count(3)", "Enter");
  await term.waitFor(/^3\n\(node-5651\) >$/m);
  await term.keys("C-c");
  await term.waitFor(/To exit, type exit or press Ctrl-D/);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("Ctrl-C cancels a remote call in the same words as a local one, naming the node", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
  await using term = await Terminal.open(home.path, gpmd.address, FIXTURES_DIR);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys(`Node.run(${peer.name}, spin.announce())`, "Enter");
  await term.waitFor(/^spinning$/m);
  await term.keys("C-c");
  const cancelled = new RegExp(
    `error: CANCELLED: spin\\.announce was cancelled on ${peer.name}\\n\\(node-5651\\) >$`,
    "m",
  );
  await term.waitFor(cancelled);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});
