// Execution that cannot be wedged: time limits, cancel, memory cap, hot reload, no leaks.
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { GvmNode, homePaths } from "../../mod.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";
import { dialPeer } from "../../lib/node/peer_link.ts";
import { encodeArgs } from "../../lib/protocol/wasm_values.ts";
import {
  FIXTURES_DIR,
  MODULES_DIR,
  modulesFolder,
  runCommands,
  tempHome,
  TestGpmd,
  TestNode,
  withoutStartup,
} from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

const int = (value: bigint) => ({ type: "int" as const, value });

Deno.test("an endless loop is stopped at its limit while other calls, local and remote, complete", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, {
    "spin.wasm": `${FIXTURES_DIR}/spin.wasm`,
    "math.wasm": `${MODULES_DIR}/math.wasm`,
  });
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    home: homePaths(home.path),
    modulesDir: mods,
    name: "node-1001",
    workers: 2,
  });
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: mods });

  const started = performance.now();
  const forever = node.call({ module: "spin", fn: "forever", args: [] }, { timeoutMs: 2_000 });
  let foreverSettled = false;
  forever.catch(() => {}).finally(() => foreverSettled = true);

  const local = await node.call({ module: "math", fn: "mul", args: [int(6n), int(7n)] });
  assert.deepEqual(local.values, [42]);
  assert.equal(await peer.command("Node.connect(node-1001)", /node-1001\n/), "node-1001\n");
  const remote = await peer.command("Node.run(node-1001, math.mul(3, 4))", /\n12\n/);
  assert.match(remote, /^ID: {2}\S+\n12\n$/);
  assert.equal(foreverSettled, false, "the loop is still running while the others finished");

  await assertRejectsGvmError(forever, "TIMEOUT", /spin\.forever ran past its 2 s limit/);
  assert.ok(performance.now() - started >= 2_000);
  // The stuck worker was replaced: the node still runs calls.
  assert.deepEqual((await node.call({ module: "spin", fn: "count", args: [int(5n)] })).values, [5]);
  assert.ok(node.sandboxStats().processes <= 2);
});

Deno.test("--timeout stops a runaway call from the prompt with TIMEOUT", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(
    home.path,
    gpmd,
    ["spin.forever()", "spin.count(3)"],
    FIXTURES_DIR,
    ["--timeout", "0.5"],
  );
  assert.equal(result.code, 1);
  assert.match(
    withoutStartup(result.stderr),
    /^error: TIMEOUT: spin\.forever ran past its 0\.5 s limit\n$/,
  );
  assert.match(result.stdout, /(?:^|\n)3\n$/);
});

Deno.test("Node.cancel on the serving node stops a remote call; the caller sees CANCELLED", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address, {
    modules: FIXTURES_DIR,
    name: "node-2001",
  });
  await using b = await TestNode.start(home.path, gpmd.address, {
    modules: FIXTURES_DIR,
    name: "node-2002",
  });
  await a.command("Node.connect(node-2002)", /node-2002\n/);
  const errors = a.stderr.text.length;
  // Cancel once the call is known to run there: it announces itself, then spins.
  const started = await a.command("Node.run(node-2002, spin.announce())", /spinning\n/);
  const id = started.match(/ID: {2}(\S+)/)![1];
  await b.send(`Node.cancel(${id})`);
  await b.stdout.waitFor(`Cancelled ${id}`);
  await a.stderr.waitFor(/error: CANCELLED: /, errors);
  // Both nodes go on, and B's worker was replaced.
  assert.match(await a.command("Node.run(node-2002, spin.count(7))", /\n7\n/), /\n7\n$/);
});

Deno.test("library API: cancelling a remote call by id rejects it with CANCELLED", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "cancel-test");
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR, { name: "node-3001" });
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR, { name: "node-3002" });
  await a.connect("node-3002");
  const call = a.run("node-3002", { module: "spin", fn: "forever", args: [] });
  const cancelled = assertRejectsGvmError(call.result, "CANCELLED");
  a.cancel(call.callId);
  await cancelled;
  // The serving side stops the work too; nothing announces that, so poll with a deadline.
  const deadline = Date.now() + 5_000;
  while (b.serving > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(b.serving, 0);
  assertGvmError(() => a.cancel(call.callId), "BAD_ARGS");
  assert.deepEqual(
    (await a.run("node-3002", { module: "spin", fn: "count", args: [int(2n)] }).result).values,
    [2],
  );
});

Deno.test("--max-memory caps declared and grown memory with MEMORY_LIMIT", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const capped = await runCommands(
    home.path,
    gpmd,
    ["hog.eat()", "bigmem.ok()", "hog.pages()"],
    FIXTURES_DIR,
    ["--max-memory", "16"],
  );
  assert.equal(capped.code, 1);
  const errors = withoutStartup(capped.stderr).trim().split("\n");
  assert.match(errors[0], /^error: MEMORY_LIMIT: hog\.eat stopped at the 16 MiB memory cap/);
  assert.match(errors[1], /^error: MEMORY_LIMIT: bigmem needs 62\.5 MiB of memory at start/);
  assert.match(capped.stdout, /(?:^|\n)1\n$/, "a fresh instance starts small again");

  const byDefault = await runCommands(
    home.path,
    gpmd,
    ["bigmem.grow(100)", "bigmem.grow(5000)"],
    FIXTURES_DIR,
  );
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.match(byDefault.stdout, /(?:^|\n)1000\n-1\n$/, "growth past 256 MiB fails inside wasm");
});

Deno.test("hot reload: changed, removed and broken files in the modules folder", async () => {
  await using home = await tempHome();
  const mods = await modulesFolder(home.path, {
    "calc.wasm": `${MODULES_DIR}/math.wasm`,
    "spin.wasm": `${FIXTURES_DIR}/spin.wasm`,
  });
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await TestNode.start(home.path, gpmd.address, { modules: mods });
  assert.equal(await node.command("calc.mul(6, 7)", /42\n/), "42\n");

  // Changed: calc is now the types module.
  await Deno.copyFile(`${MODULES_DIR}/types.wasm`, `${mods}/calc.wasm.tmp`);
  await Deno.rename(`${mods}/calc.wasm.tmp`, `${mods}/calc.wasm`);
  assert.equal(await node.command("calc.add64(40, 2)", /42\n/), "42\n");

  // Broken: a clear error, and the other modules are undisturbed.
  await Deno.writeTextFile(`${mods}/calc.wasm`, "garbage");
  let from = node.stderr.text.length;
  await node.send("calc.add64(1, 2)");
  await node.stderr.waitFor(/error: BAD_MODULE: calc\.wasm/, from);
  assert.equal(await node.command("spin.count(9)", /9\n/), "9\n");

  // Removed: gone from runs.
  await Deno.remove(`${mods}/calc.wasm`);
  from = node.stderr.text.length;
  await node.send("calc.add64(1, 2)");
  await node.stderr.waitFor(/error: MODULE_NOT_FOUND: No module named calc/, from);
});

Deno.test("1,000 sequential local calls leak no workers, calls or memory", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "leak-test");
  await using node = await startInProcessNode(gpmd, MODULES_DIR, { workers: 2 });
  const spec = { module: "types", fn: "add64", args: [int(1n), int(2n)] };
  for (let i = 0; i < 100; i++) await node.call(spec); // Warm up caches and JIT.
  // Inline calls leave their garbage on this heap: collect it, so only what is kept counts.
  v8.setFlagsFromString("--expose-gc");
  const gc = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext("gc") as () => void;
  gc();
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000; i++) {
    assert.deepEqual((await node.call(spec)).values, [3n]);
  }
  gc();
  const grown = Deno.memoryUsage().heapUsed - before;
  assert.ok(node.sandboxStats().processes <= 2, `sandboxes: ${node.sandboxStats().processes}`);
  assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${grown} bytes`);
});

Deno.test("a module sees no files unless --allow-dir maps a folder, and its writes land there", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const data = `${home.path}/data`;
  await Deno.mkdir(data);
  await Deno.writeTextFile(`${data}/in.txt`, "hello from the host\n");

  const closed = await runCommands(home.path, gpmd, ['files("/data/in.txt")'], FIXTURES_DIR);
  assert.equal(closed.code, 1);
  assert.match(
    closed.stderr,
    /cannot open \/data\/in\.txt\nerror: EXIT_CODE: files exited with code 1\n$/,
  );

  const open = await runCommands(
    home.path,
    gpmd,
    ['files("/data/in.txt", "/data/out.txt")', 'files("/data/out.txt")'],
    FIXTURES_DIR,
    ["--allow-dir", `${data}:/data`],
  );
  assert.equal(open.code, 0, open.stderr);
  assert.match(open.stdout, /(?:^|\n)hello from the host\nwritten by wasm\n$/);
  assert.equal(await Deno.readTextFile(`${data}/out.txt`), "written by wasm\n");

  const missing = await runCommands(home.path, gpmd, ["files"], FIXTURES_DIR, [
    "--allow-dir",
    `${home.path}/nope`,
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: BAD_FLAGS: --allow-dir .*nope: not a folder/);
});

// Deno cannot stop a Worker thread stuck in wasm, so a call that outlives the inline budget runs
// in a sandbox process: killing one must really stop the loop, and a sandbox must not outlive its
// node.
async function sandboxesOf(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "pid=", "--ppid", String(pid)],
    stdout: "piped",
  })
    .output();
  return new TextDecoder().decode(out.stdout).trim().split(/\s+/).filter(Boolean).map(Number);
}

async function alive(pid: number): Promise<boolean> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
  })
    .output();
  const state = new TextDecoder().decode(out.stdout).trim();
  return state !== "" && !state.startsWith("Z");
}

// No event tells a process is gone but its absence: poll with a deadline.
async function gone(pids: number[]): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const left = [];
    for (const pid of pids) if (await alive(pid)) left.push(pid);
    if (left.length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

Deno.test("a timed-out loop stops burning CPU, and no sandbox outlives a SIGKILLed node", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await TestNode.start(home.path, gpmd.address, {
    modules: FIXTURES_DIR,
    extra: ["--timeout", "0.5", "--workers", "1"],
  });
  const before = await sandboxesOf(node.child.pid);
  const errors = node.stderr.text.length;
  await node.send("spin.forever()");
  await node.stderr.waitFor(/error: TIMEOUT: spin\.forever ran past its 0\.5 s limit/, errors);
  assert.ok(await gone(before), `the sandbox that ran the loop is gone: ${before}`);

  await node.send("spin.announce()");
  await node.stdout.waitFor("spinning\n");
  const spinning = await sandboxesOf(node.child.pid);
  assert.ok(spinning.length >= 1);
  node.kill();
  await node.exit();
  assert.ok(await gone(spinning), `sandboxes of the dead node are gone: ${spinning}`);
});

Deno.test("a module flooding output to a caller that stops reading waits, instead of filling the node's memory", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using node = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
  // A proxy between us and the node that can stop passing the node's bytes on: a stalled reader.
  const proxy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let stalled = false;
  const { promise: stall, resolve: release } = Promise.withResolvers<void>();
  const piping = (async () => {
    const client = await proxy.accept();
    const server = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
    const up = client.readable.pipeTo(server.writable).catch(() => {});
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        if (stalled) await stall;
        const n = await server.read(buffer);
        if (n === null) break;
        await client.write(buffer.subarray(0, n));
      }
    } catch {
      // Torn down at the end of the test.
    }
    for (const conn of [client, server]) {
      try {
        conn.close();
      } catch {
        // Closed by the pipe already.
      }
    }
    await up;
  })();
  const cookie = (await Deno.readTextFile(`${home.path}/cookie`)).trim();
  const peer = await dialPeer({
    host: "127.0.0.1",
    port: (proxy.addr as Deno.NetAddr).port,
    expected: node.name,
    self: { name: "node-reader", id: crypto.randomUUID() },
    cookie,
    handler: () => {},
  });
  stalled = true;
  // 20,000 × 64 KiB = 1.25 GiB of output, far more than the node may buffer.
  const call = peer.conn.request({
    t: "call",
    callId: crypto.randomUUID(),
    module: "flood",
    fn: "run",
    args: encodeArgs([{ type: "int", value: 20000n }]),
  }, { timeoutMs: 60_000 }).catch(() => {});
  const rss = async () => {
    const out = await new Deno.Command("ps", {
      args: ["-o", "rss=", "-p", String(node.child.pid)],
      stdout: "piped",
    })
      .output();
    return Number(new TextDecoder().decode(out.stdout).trim()) / 1024;
  };
  // Give the flood time to fill what it may; an unbounded node would grow by hundreds of MiB.
  const deadline = Date.now() + 3_000;
  let peak = 0;
  while (Date.now() < deadline) {
    peak = Math.max(peak, await rss());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(peak < 200, `node RSS peaked at ${peak.toFixed(0)} MiB`);
  // Nor did it give up on the slow reader (it would past 64 MiB unsent).
  assert.doesNotMatch(node.stderr.text, /not reading/);
  // The node still answers its own prompt meanwhile.
  assert.equal(await node.command("spin.count(4)", /4\n/), "4\n");
  peer.conn.close();
  release();
  proxy.close();
  await call;
  await piping;
});
