import assert from "node:assert/strict";
import { HISTORY_LIMIT } from "../../lib/limits.ts";
import { loadHistory, saveHistoryLine } from "../../lib/repl/history.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gvm-history-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("`saveHistoryLine()` appends one line each, private; `loadHistory()` reads newest first", () =>
  withDir(async (dir) => {
    const file = `${dir}/history`;
    await saveHistoryLine(file, "math.add(1,2)");
    await saveHistoryLine(file, "a\nb"); // One entry, one line.
    await saveHistoryLine(file, "Node.list()");
    assert.equal(await Deno.readTextFile(file), "math.add(1,2)\na b\nNode.list()\n");
    assert.deepEqual(await loadHistory(file), ["Node.list()", "a b", "math.add(1,2)"]);
    const info = await Deno.stat(file);
    if (info.mode !== null) assert.equal(info.mode & 0o777, 0o600);
  }));

Deno.test("`loadHistory()` skips blank lines and keeps the newest HISTORY_LIMIT", () =>
  withDir(async (dir) => {
    const file = `${dir}/history`;
    const lines = Array.from({ length: HISTORY_LIMIT + 5 }, (_, i) => `l${i}`);
    await Deno.writeTextFile(file, ["", "  ", ...lines, ""].join("\n"));
    const history = await loadHistory(file);
    assert.equal(history.length, HISTORY_LIMIT);
    assert.equal(history[0], `l${HISTORY_LIMIT + 4}`);
    assert.equal(history.at(-1), "l5");
  }));

Deno.test("history in a missing or unwritable place is empty, never an error", () =>
  withDir(async (dir) => {
    assert.deepEqual(await loadHistory(`${dir}/none`), []);
    await saveHistoryLine(`${dir}/no/such/folder/history`, "x");
    assert.deepEqual(await loadHistory(`${dir}/no/such/folder/history`), []);
  }));
