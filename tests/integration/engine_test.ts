// The execution engine: calls inline on the node's thread first, moved to a sandbox process when
// they outlive their budget; --isolation process; memory caps for 64-bit memories and tables;
// BUSY past the bounded call queue.
import assert from "node:assert/strict";
import { GvmNode, homePaths } from "../../mod.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import {
  INLINE_OUTPUT_CAP_BYTES,
  MAX_CALLS_IN_PROGRESS,
  MAX_QUEUED_CALLS,
} from "../../lib/limits.ts";
import type { Isolation } from "../../lib/wasm/runtime.ts";
import {
  FIXTURES_DIR,
  MODULES_DIR,
  modulesFolder,
  runCommands,
  tempHome,
  TestGpmd,
  TestNode,
} from "./_harness.ts";

const int = (value: bigint) => ({ type: "int" as const, value });

async function startNode(
  home: string,
  gpmd: TestGpmd,
  modulesDir: string,
  extra: { isolation?: Isolation; workers?: number; maxMemoryMiB?: number } = {},
): Promise<GvmNode> {
  return await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    home: homePaths(home),
    modulesDir,
    name: `node-${crypto.randomUUID().slice(0, 8)}`,
    ...extra,
  });
}

Deno.test("a call runs inline; a looping one moves to a sandbox, stops at its deadline, and the node answers pings throughout", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, {
    "spin.wasm": `${FIXTURES_DIR}/spin.wasm`,
    "math.wasm": `${MODULES_DIR}/math.wasm`,
  });
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await startNode(home.path, gpmd, mods);
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: mods });

  const printed: string[] = [];
  const onOutput = (_fd: 1 | 2, data: Uint8Array) =>
    void printed.push(new TextDecoder().decode(data));
  assert.deepEqual(
    (await node.call({ module: "math", fn: "add", args: [int(1n), int(2n)] }, { onOutput })).values,
    [3],
  );
  assert.deepEqual(printed, ["Adding Numbers From Wasm...\n"], "inline output is delivered");
  assert.equal(node.sandboxStats().calls, 0, "the call ran inline");

  // The event loop's longest stall while the loop runs, seen by a 1 ms timer.
  let last = performance.now();
  let worstGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 1);
  try {
    const started = performance.now();
    const forever = node.call({ module: "spin", fn: "forever", args: [] }, { timeoutMs: 1_500 });
    let settled = false;
    forever.catch(() => {}).finally(() => settled = true);
    assert.equal(await peer.command(`Node.connect(${node.name})`, /\n/), `${node.name}\n`);
    for (let i = 0; i < 3; i++) {
      assert.match(await peer.command(`Node.ping(${node.name})`, /\n/), / ms\n$/);
    }
    assert.equal(settled, false, "the loop still runs while pings are answered");
    assert.equal(node.sandboxStats().calls, 1, "the loop moved to a sandbox");
    await assertRejectsGvmError(forever, "TIMEOUT", /spin\.forever ran past its 1\.5 s limit/);
    const took = performance.now() - started;
    assert.ok(took >= 1_500 && took < 2_500, `stopped at its deadline, not ${took} ms`);
  } finally {
    clearInterval(ticker);
  }
  // A loaded shared machine delays timers by a hundred ms or more now and then, so this only
  // tells "held for the call" (1.5 s) from scheduling noise; the 5 ms bound is the bench's.
  assert.ok(worstGap < 1_000, `the event loop stalled ${worstGap.toFixed(1)} ms`);
  assert.deepEqual((await node.call({ module: "spin", fn: "count", args: [int(5n)] })).values, [5]);
});

Deno.test("output past the inline buffer moves the call to a sandbox, and all of it arrives once", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, { "flood.wasm": `${FIXTURES_DIR}/flood.wasm` });
  await using gpmd = await TestGpmd.start(home.path);
  const chunks = INLINE_OUTPUT_CAP_BYTES / 65_536 + 2;
  // On a loaded CPU the first attempt can be stalled past its 5 ms budget before it prints
  // enough to pass the buffer: the call still moves to a sandbox, but for its time, and then it
  // is rightly remembered as long. A fresh node tries again until the buffer is what moved it.
  for (let attempt = 1;; attempt++) {
    await using node = await startNode(home.path, gpmd, mods);
    let bytes = 0;
    await node.call({ module: "flood", fn: "run", args: [int(BigInt(chunks))] }, {
      onOutput: (_fd, data) => void (bytes += data.length),
    });
    assert.equal(bytes, chunks * 65_536, "the abandoned attempt's output is not delivered");
    assert.equal(node.sandboxStats().calls, 1, "the call was re-run in a sandbox");
    const first = node.inlineStats();
    assert.equal(first.attempts, 1, "the call was tried inline first");
    if (first.dropped.output === 0 && attempt < 5) continue;
    assert.deepEqual(first.dropped, { budget: 0, output: 1, effect: 0, heap: 0 });
    // Output past the buffer is not remembered: a short call of the same export is tried inline
    // again (where a loaded CPU may still stall it past its budget, so it may end in a sandbox).
    await node.call({ module: "flood", fn: "run", args: [int(1n)] });
    const second = node.inlineStats();
    assert.equal(second.attempts, 2, "a short one is still tried inline");
    assert.equal(
      node.sandboxStats().calls,
      1 + second.dropped.budget,
      "a short one still runs inline unless stalled past its budget",
    );
    break;
  }
});

Deno.test("--isolation process runs every call in a sandbox process; a bad mode is BAD_FLAGS", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const ran = await runCommands(home.path, gpmd, ["math.add(1,2)"], MODULES_DIR, [
    "--isolation",
    "process",
  ]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /Adding Numbers From Wasm\.\.\.\n\n3\n$/);
  const bad = await runCommands(home.path, gpmd, ["math"], MODULES_DIR, ["--isolation", "thread"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: BAD_FLAGS: --isolation takes inline or process, not 'thread'/);

  await using node = await startNode(home.path, gpmd, MODULES_DIR, { isolation: "process" });
  const before = performance.now();
  assert.deepEqual(
    (await node.call({ module: "math", fn: "mul", args: [int(6n), int(7n)] })).values,
    [42],
  );
  assert.ok(performance.now() - before < 10_000);
  assert.equal(node.sandboxStats().calls, 1, "the call ran in a sandbox");
});

for (const isolation of ["inline", "process"] as const) {
  Deno.test(`the memory cap holds for 64-bit memories and tables (${isolation})`, async () => {
    await using home = await tempHome();
    const mods = await modulesFolder(home.path, {
      "mem64.wasm": `${FIXTURES_DIR}/mem64.wasm`,
      "tables.wasm": `${FIXTURES_DIR}/tables.wasm`,
      "bigtables.wasm": `${FIXTURES_DIR}/bigtables.wasm`,
      "math.wasm": `${MODULES_DIR}/math.wasm`,
    });
    await using gpmd = await TestGpmd.start(home.path);
    await using node = await startNode(home.path, gpmd, mods, { isolation, maxMemoryMiB: 16 });
    const call = (module: string, fn: string) => node.call({ module, fn, args: [] });

    await assertRejectsGvmError(
      call("mem64", "eat"),
      "MEMORY_LIMIT",
      /mem64\.eat stopped at the 16 MiB memory cap/,
    );
    const [pages] = (await call("mem64", "grow_all")).values;
    assert.ok(pages as bigint <= 256n, `a 64-bit memory grew to ${pages} pages`);
    const [slots] = (await call("tables", "grow_all")).values;
    assert.ok((slots as number) * 8 <= 16 * 1024 * 1024, `a table grew to ${slots} slots`);
    await assertRejectsGvmError(
      call("bigtables", "ok"),
      "MEMORY_LIMIT",
      /bigtables needs 305\.176 MiB of memory at start \(memories and tables\), over the 16 MiB cap/,
    );
    assert.deepEqual(
      (await node.call({ module: "math", fn: "mul", args: [int(6n), int(7n)] })).values,
      [42],
    );
  });
}

Deno.test("past the bounded call queue a call fails at once with BUSY, and the node goes on", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, {
    "spin.wasm": `${FIXTURES_DIR}/spin.wasm`,
    "math.wasm": `${MODULES_DIR}/math.wasm`,
  });
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await startNode(home.path, gpmd, mods, { isolation: "process", workers: 1 });
  // Loaded once first, so the calls below reach the queue in the order they are made.
  await node.call({ module: "spin", fn: "count", args: [int(1n)] });
  const controller = new AbortController();
  const spin = () =>
    node.call({ module: "spin", fn: "forever", args: [] }, { signal: controller.signal });
  const waiting = Array.from({ length: MAX_QUEUED_CALLS + 1 }, spin); // One runs, the rest wait.
  for (const call of waiting) call.catch(() => {});
  const started = performance.now();
  await assertRejectsGvmError(spin(), "BUSY", /calls already wait here; try again later/);
  assert.ok(performance.now() - started < 1_000, "BUSY comes at once");
  controller.abort();
  const outcomes = await Promise.allSettled(waiting);
  assert.ok(outcomes.every((o) => o.status === "rejected"));
  assert.deepEqual(
    (await node.call({ module: "math", fn: "mul", args: [int(6n), int(7n)] })).values,
    [42],
  );
});

Deno.test("a peer cannot keep an instance on a node: it gets a fresh one each call", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using serving = await startNode(home.path, gpmd, MODULES_DIR);
  await using caller = await startNode(home.path, gpmd, MODULES_DIR);
  await caller.connect(serving.name);
  const alloc = { module: "types", fn: "alloc", args: [int(16n)] };
  const first = await caller.run(serving.name, alloc, { keepInstance: true }).result;
  const second = await caller.run(serving.name, alloc, { keepInstance: true }).result;
  assert.deepEqual(second.values, first.values, "the allocator starts over: a fresh instance");
});

// (module (type $a (array (mut i8))) (type $n (struct (field (mut (ref null $n))) (field (ref $a))))
//   (func (export "grow") (param $mib i32) (result i32): a linked list of $mib 1 MiB GC arrays.
// Built here as bytes: the wabt that builds the fixtures does not know GC types.
function gcBomb(): Uint8Array {
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  const types = [3, 0x5e, 0x78, 1, 0x5f, 2, 0x63, 1, 1, 0x64, 0, 0, 0x60, 1, 0x7f, 1, 0x7f];
  const body = [
    ...[1, 1, 0x63, 1], // one local: (ref null $n)
    ...[0x03, 0x40, 0x20, 1, 0x41, 0x80, 0x80, 0xc0, 0x00], // loop; head; i32.const 1 MiB
    ...[0xfb, 0x07, 0, 0xfb, 0x00, 1, 0x21, 1], // array.new_default; struct.new; set head
    ...[0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x41, 0, 0x0b], // while (--mib); 0
  ];
  return new Uint8Array([
    ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, types),
    ...section(3, [1, 2]),
    ...section(7, [1, 4, ...new TextEncoder().encode("grow"), 0, 0]),
    ...section(10, [1, body.length, ...body]),
  ]);
}

Deno.test("a module with GC types is refused: its objects would live beyond any memory cap", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, { "math.wasm": `${MODULES_DIR}/math.wasm` });
  await Deno.writeFile(`${mods}/gcbomb.wasm`, gcBomb());
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await startNode(home.path, gpmd, mods, { maxMemoryMiB: 16 });
  const grow = node.call({ module: "gcbomb", fn: "grow", args: [int(400n)] });
  await assertRejectsGvmError(grow, "BAD_MODULE", /unsupported type form 0x5e/);
  assert.deepEqual(
    (await node.call({ module: "math", fn: "mul", args: [int(6n), int(7n)] })).values,
    [42],
  );
});

Deno.test("past the bounded number of calls in progress on a node, a call fails at once with BUSY", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await startNode(home.path, gpmd, MODULES_DIR);
  const mul = { module: "math", fn: "mul", args: [int(6n), int(7n)] };
  await node.call(mul); // Loaded and compiled.
  const burst = Array.from({ length: MAX_CALLS_IN_PROGRESS }, () => node.call(mul));
  await assertRejectsGvmError(node.call(mul), "BUSY", /calls are in progress here/);
  const outcomes = await Promise.allSettled(burst);
  assert.ok(outcomes.every((o) => o.status === "fulfilled"), "the calls in progress all finish");
  assert.deepEqual((await node.call(mul)).values, [42], "and the node takes calls again");
});
