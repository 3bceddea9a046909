import assert from "node:assert/strict";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { GvmNode } from "../../lib/node/node.ts";
import { Evaluator } from "../../lib/repl/evaluator.ts";
import type { Output } from "../../lib/repl/output.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const COOKIE = "evaluator-test-cookie";

/** An Output that records everything in order: lines, error lines and streamed text. */
function recorder() {
  const events: string[] = [];
  const decoder = new TextDecoder();
  const out: Output = {
    line: (text) => void events.push(`line ${text}`),
    error: (text) => void events.push(`error ${text}`),
    stream: (fd, data) => void events.push(`fd${fd} ${decoder.decode(data)}`),
  };
  return { out, events };
}

/** A GPMD and two nodes; the evaluator runs on node-a. */
async function network() {
  const root = await Deno.makeTempDir({ prefix: "gvm-eval-test-" });
  const gpmd = await GpmdServer.start({ port: 0, home: homePaths(root), cookie: COOKIE });
  const common = {
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    cookie: COOKIE,
    modulesDir: MODULES,
    workers: 1,
  };
  const a = await GvmNode.start({ ...common, name: "node-a" });
  const b = await GvmNode.start({ ...common, name: "node-b" });
  const { out, events } = recorder();
  return {
    a,
    b,
    events,
    evaluator: new Evaluator(a, out),
    async [Symbol.asyncDispose]() {
      a.close();
      b.close();
      await gpmd[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("`Evaluator.evaluate()` runs a local call: its output, a blank line, then the result", async () => {
  await using net = await network();
  assert.equal(await net.evaluator.evaluate("math.add(1, 2)  # a comment"), "ok");
  assert.deepEqual(net.events, ["fd1 Adding Numbers From Wasm...\n", "line ", "line 3"]);
});

Deno.test("`Evaluator.evaluate()` prints one coded error line and goes on", async () => {
  await using net = await network();
  assert.equal(await net.evaluator.evaluate("math.add(1,"), "failed");
  assert.match(net.events[0], /^error error: SYNTAX_ERROR: /);
  assert.equal(net.evaluator.failureStatus, 1);
  assert.equal(await net.evaluator.evaluate("nope.f()"), "failed");
  assert.match(net.events[1], /^error error: MODULE_NOT_FOUND: /);
  assert.equal(await net.evaluator.evaluate(""), "ok");
  assert.equal(net.events.length, 2);
});

Deno.test("`Evaluator.evaluate()` runs the Node commands against the node", async () => {
  await using net = await network();
  assert.equal(await net.evaluator.evaluate("Node.list()"), "ok");
  assert.deepEqual(net.events.splice(0), ["line (no connected nodes)"]);
  await net.evaluator.evaluate("Node.discover()");
  const [discovered] = net.events.splice(0);
  assert.deepEqual(discovered.replace(/^line /, "").split(",").sort(), ["node-a", "node-b"]);
  await net.evaluator.evaluate("Node.connect(node-b)");
  assert.deepEqual(net.events.splice(0), ["line node-b"]);
  await net.evaluator.evaluate("Node.list()");
  assert.deepEqual(net.events.splice(0), ["line node-b"]);
  await net.evaluator.evaluate("Node.ping(node-b)");
  assert.match(net.events.splice(0)[0], /^line node-b: \d+\.\d\d ms$/);
  await net.evaluator.evaluate("Node.info()");
  assert.match(
    net.events.splice(0)[0],
    /^line name: node-a\nid: .*\naddress: 127\.0\.0\.1:\d+\ngpmd: .* \(registered\)$/,
  );
  await net.evaluator.evaluate("Node.disconnect(node-b)");
  assert.deepEqual(net.events.splice(0), ["line Disconnected from node-b"]);
  assert.equal(await net.evaluator.evaluate("exit"), "exit");
  assert.deepEqual(net.events.splice(0), ["line Goodbye :("]);
});

Deno.test("`Evaluator.evaluate()` of Node.run connects first, prints the call id, then the result", async () => {
  await using net = await network();
  assert.equal(await net.evaluator.evaluate("Node.run(node-b, math.add(2, 3))"), "ok");
  assert.equal(net.events[0], "error Connected to node-b");
  assert.match(net.events[1], /^line ID: {2}[0-9a-f-]{36}$/);
  assert.deepEqual(net.events.slice(2), ["fd1 Adding Numbers From Wasm...\n", "line 5"]);
});

Deno.test("`Evaluator.evaluate()` of Node.multicall prefixes each node's lines with its name", async () => {
  await using net = await network();
  assert.equal(await net.evaluator.evaluate("Node.multicall(math.add(1, 1))"), "failed");
  assert.match(net.events.splice(0)[0], /NOT_CONNECTED/);
  await net.evaluator.evaluate("Node.connect(node-b)");
  net.events.length = 0;
  assert.equal(await net.evaluator.evaluate("Node.multicall(math.add(1, 1))"), "ok");
  assert.deepEqual(net.events, ["fd1 node-b: Adding Numbers From Wasm...\n", "line node-b: 2"]);
});

Deno.test("`Evaluator.interrupt()` cancels the running command; idle, it says there was none", async () => {
  const fixtures = new URL("../fixtures", import.meta.url).pathname;
  const root = await Deno.makeTempDir({ prefix: "gvm-eval-test-" });
  const gpmd = await GpmdServer.start({ port: 0, home: homePaths(root), cookie: COOKIE });
  const node = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    cookie: COOKIE,
    modulesDir: fixtures,
    workers: 1,
  });
  try {
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    const events: string[] = [];
    const evaluator = new Evaluator(node, {
      line: (text) => void events.push(text),
      error: (text) => void events.push(text),
      stream: () => started(),
    });
    assert.equal(evaluator.interrupt(), false);
    assert.equal(evaluator.busy, false);
    const outcome = evaluator.evaluate("spin.announce()");
    await running;
    assert.equal(evaluator.busy, true);
    assert.equal(evaluator.interrupt(), true);
    assert.equal(await outcome, "failed");
    assert.match(events.at(-1)!, /^error: CANCELLED: /);
  } finally {
    node.close();
    await gpmd[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});
