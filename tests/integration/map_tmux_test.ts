// Node.map's progress line in a real terminal (tmux on a private socket): it appears once a
// batch has run a second, is replaced by the results, and Ctrl-C cancels the batch.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { FIXTURES_DIR, tempHome, TestGpmd } from "./_harness.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A tmux server of its own (`-L`), so the test never touches anyone else's sessions. */
class Terminal implements AsyncDisposable {
  readonly socket = `gvm-map-${crypto.randomUUID().slice(0, 8)}`;

  async tmux(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  async open(home: string, gpmd: string): Promise<void> {
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
      FIXTURES_DIR,
      "--workers",
      "1",
      "--name",
      "node-7070",
    ].map((part) => `'${part}'`).join(" ");
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      "map",
      "-x",
      "150",
      "-y",
      "40",
      `${command}; sleep 30`,
    );
  }

  screen(): Promise<string> {
    return this.tmux("capture-pane", "-p", "-t", "map");
  }

  keys(...keys: string[]): Promise<string> {
    return this.tmux("send-keys", "-t", "map", ...keys);
  }

  // The screen has no event to wait on, so poll it against a deadline.
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`Screen never matched ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
  }
}

const BAR = /\[[#-]{20}\] \d+\/\d+ {2}\d+ failed {2}[\d.]+\/s {2}node-7070 \d+\+\d+/;

Deno.test("Node.map shows a progress line on a terminal, replaced by the results", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = new Terminal();
  await term.open(home.path, gpmd.address);
  await term.waitFor(/\(node-7070\) >$/m);

  await term.keys("Node.map(mapwork.fib, 40..44)", "Enter");
  const during = await term.waitFor(BAR);
  assert.match(during, /\/5 /);
  const after = await term.waitFor(
    /40: 102334155\n41: 165580141\n42: 267914296\n43: 433494437\n44: 701408733\n\(node-7070\) >$/m,
    180_000,
  );
  assert.doesNotMatch(after, /\[[#-]{20}\]/, "the progress line is gone");

  // Ctrl-C stops the whole batch; the prompt comes back at once.
  await term.keys("Node.map(mapwork.fib, 44..46)", "Enter");
  await term.waitFor(BAR);
  await term.keys("C-c");
  const cancelled = await term.waitFor(
    /error: CANCELLED: Node\.map cancelled after \d+ of 3 calls\n\(node-7070\) >$/m,
  );
  assert.doesNotMatch(cancelled, /\[[#-]{20}\]/, "no progress line left behind");
});
