// Node.map across real node processes: results in input order, a call's own failure on its
// line, and a peer SIGKILLed mid-batch whose calls are re-run elsewhere.
import assert from "node:assert/strict";
import type { GvmError } from "../../lib/errors.ts";
import { FIXTURES_DIR, runCommands, tempHome, TestGpmd, TestNode } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

const WAIT_MS = 120_000;
const FIB: Record<number, number> = {
  30: 832040,
  31: 1346269,
  32: 2178309,
  33: 3524578,
  34: 5702887,
  35: 9227465,
  36: 14930352,
  37: 24157817,
  38: 39088169,
  39: 63245986,
  40: 102334155,
};
const FIB_LINES = Object.entries(FIB).map(([n, v]) => `${n}: ${v}\n`).join("");

async function connect(from: TestNode, to: TestNode): Promise<void> {
  assert.equal(await from.command(`Node.connect(${to.name})`, "\n"), `${to.name}\n`);
}

Deno.test("Node.map(mapwork.fib, 30..40) on three nodes survives a peer SIGKILLed mid-batch", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  // One sandbox each, so every node is busy while calls wait: the killed one has one in flight.
  const flags = { modules: FIXTURES_DIR, extra: ["--workers", "1"] };
  await using a = await TestNode.start(home.path, gpmd.address, flags);
  await using b = await TestNode.start(home.path, gpmd.address, flags);
  await using c = await TestNode.start(home.path, gpmd.address, flags);
  await connect(a, b);
  await connect(a, c);

  const from = a.stdout.text.length;
  await a.send("Node.map(mapwork.fib, 30..40)");
  // The first result is in: the big calls are still running, one on each node.
  await a.stdout.waitFor("30: 832040\n", from, WAIT_MS);
  b.kill("SIGKILL");
  await a.stdout.waitFor("40: 102334155\n", from, WAIT_MS);
  assert.equal(a.stdout.text.slice(from), FIB_LINES);
  const note = await a.stderr.waitFor(/note: (\d+) calls? re-run after (\S+) went down/);
  assert.equal(note[2], b.name);
  assert.ok(!a.stdout.text.includes("\x1b["), "no progress line when piped");

  // A call that fails by itself is reported on its line, and not re-run.
  const stderrFrom = a.stderr.text.length;
  const mark = a.stdout.text.length;
  await a.send("Node.map(mapwork.check, 1..4)");
  const match = await a.stdout.waitFor("4: 8\n", mark, WAIT_MS);
  assert.match(
    a.stdout.text.slice(mark, match.index! + match[0].length),
    /^1: 2\n2: 4\n3: error: TRAP: [^\n]*unreachable[^\n]*\n4: 8\n$/,
  );
  await a.send("Node.list()");
  await a.stdout.waitFor(`${c.name}\n`, mark);
  assert.ok(!a.stderr.text.slice(stderrFrom).includes("re-run"));
});

Deno.test("Node.map with -c: tuples, a module's main with argv, bad syntax, exit status", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const ok = await runCommands(home.path, gpmd, [
    "Node.map(mapwork.add, (1, 2), (3, 4), (0x10, -1))",
  ], FIXTURES_DIR);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /\(1, 2\): 3\n\(3, 4\): 7\n\(0x10, -1\): 15\n$/);
  const main = await runCommands(home.path, gpmd, ['Node.map(hello, "a", ("b", 2))']);
  assert.equal(main.code, 0, main.stderr);
  // Each call's output comes just before its own line, whichever node ran it.
  assert.match(
    main.stdout,
    /Hello from C! argc=2\nargv\[0\]=hello\nargv\[1\]=a\n"a": ok\nHello from C! argc=3\n[^]*argv\[2\]=2\n\("b", 2\): ok\n$/,
  );

  const failed = await runCommands(home.path, gpmd, ["Node.map(mapwork.check, 3)"], FIXTURES_DIR);
  assert.match(failed.stdout, /(?:^|\n)3: error: TRAP: [^\n]+\n$/);
  assert.equal(failed.code, 1);

  const syntax = await runCommands(home.path, gpmd, ["Node.map(mapwork.fib, 5..1)"], FIXTURES_DIR);
  assert.match(
    syntax.stderr,
    /error: SYNTAX_ERROR: expected a range end not below its start \(5\.\.b counts up\) at column 26, found '1'/,
  );
  assert.equal(syntax.code, 1);
});

Deno.test("library API: node.map() returns results in order with the node used for each", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "map-library-test");
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 1 });
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 2 });
  await a.connect(b.name);
  assert.equal(await a.peerCapacity(b.name), 2);
  const items = [30, 31, 32, 33, 3].map((n) => [{ type: "int" as const, value: BigInt(n) }]);
  const results = await Array.fromAsync(a.map({ module: "mapwork", fn: "fib" }, items));
  assert.deepEqual(results.map((r) => r.result?.values[0]), [832040, 1346269, 2178309, 3524578, 2]);
  assert.deepEqual(results.map((r) => r.index), [0, 1, 2, 3, 4]);
  const used = new Set(results.map((r) => r.node));
  assert.deepEqual([...used].sort(), [a.name, b.name].sort(), "both nodes got calls");
  assert.ok(results.every((r) => r.rerunFrom.length === 0 && r.error === undefined));
});

/** Polls `done` against a deadline: a node's own counters have no event to wait on. */
async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("library API: cancelling node.map() stops its calls on every node", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "map-cancel-test");
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 1 });
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 1 });
  await a.connect(b.name);
  const controller = new AbortController();
  const items = [46, 46, 46].map((n) => [{ type: "int" as const, value: BigInt(n) }]);
  const all = Array.fromAsync(
    a.map({ module: "mapwork", fn: "fib" }, items, { signal: controller.signal }),
  );
  await until("b to run a call", () => b.serving === 1);
  controller.abort();
  await assert.rejects(all, (e: GvmError) => e.code === "CANCELLED");
  await until("b to stop its call", () => b.serving === 0);
});

Deno.test("library API: a peer disconnected mid-batch has its call re-run here", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "map-disconnect-test");
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 1 });
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR, { workers: 1 });
  await a.connect(b.name);
  const items = [38, 38, 38].map((n) => [{ type: "int" as const, value: BigInt(n) }]);
  const all = Array.fromAsync(a.map({ module: "mapwork", fn: "fib" }, items));
  await until("b to run a call", () => b.serving === 1);
  a.disconnect(b.name);
  const results = await all;
  assert.deepEqual(results.map((r) => r.result?.values[0]), [39088169, 39088169, 39088169]);
  assert.deepEqual(results.map((r) => r.node), [a.name, a.name, a.name]);
  assert.deepEqual(results.flatMap((r) => r.rerunFrom), [b.name]);
  await until("b to stop the abandoned call", () => b.serving === 0);
});
