// Node.map's progress line in a real terminal (tmux on a private socket): it appears once a
// batch has run a second, is replaced by the results, and Ctrl-C cancels the batch.
import assert from "node:assert/strict";
import { FIXTURES_DIR, tempHome, TestGpmd } from "./_harness.ts";
import { TmuxSession } from "./_tmux.ts";

/** A node named node-7070 with one sandbox, straight in a tmux window. */
function node(home: string, gpmd: string): Promise<TmuxSession> {
  return TmuxSession.gvm(home, [
    "--gpmd",
    gpmd,
    "--modules",
    FIXTURES_DIR,
    "--workers",
    "1",
    "--name",
    "node-7070",
  ]);
}

/** How long a screen may take to show what is awaited, unless said otherwise. */
const WAIT_MS = 60_000;

const BAR = /\[[#-]{20}\] \d+\/\d+ {2}\d+ failed {2}[\d.]+\/s {2}node-7070 \d+\+\d+/;

Deno.test("Node.map shows a progress line on a terminal, replaced by the results", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await node(home.path, gpmd.address);
  await term.waitFor(/\(node-7070\) >$/m, WAIT_MS);

  await term.keys("Node.map(mapwork.fib, 40..44)", "Enter");
  const during = await term.waitFor(BAR, WAIT_MS);
  assert.match(during, /\/5 /);
  const after = await term.waitFor(
    /40: 102334155\n41: 165580141\n42: 267914296\n43: 433494437\n44: 701408733\n\(node-7070\) >$/m,
    180_000,
  );
  assert.doesNotMatch(after, /\[[#-]{20}\]/, "the progress line is gone");

  // Ctrl-C stops the whole batch; the prompt comes back at once.
  await term.keys("Node.map(mapwork.fib, 44..46)", "Enter");
  await term.waitFor(BAR, WAIT_MS);
  await term.keys("C-c");
  const cancelled = await term.waitFor(
    /error: CANCELLED: Node\.map cancelled after \d+ of 3 calls\n\(node-7070\) >$/m,
    WAIT_MS,
  );
  assert.doesNotMatch(cancelled, /\[[#-]{20}\]/, "no progress line left behind");
});
