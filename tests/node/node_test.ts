import assert from "node:assert/strict";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { GvmNode } from "../../lib/node/node.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const COOKIE = "node-test-cookie";
const int = (value: bigint) => ({ type: "int" as const, value });

/** A GPMD and two nodes, a and b, in a temp home; all closed on dispose. */
async function network(bOptions: { denyPeers?: boolean } = {}) {
  const root = await Deno.makeTempDir({ prefix: "gvm-node-test-" });
  const gpmd = await GpmdServer.start({ port: 0, home: homePaths(root), cookie: COOKIE });
  const address = { host: "127.0.0.1", port: gpmd.port };
  const common = { gpmd: address, cookie: COOKIE, modulesDir: MODULES, workers: 1 };
  const a = await GvmNode.start({ ...common, name: "node-a" });
  const b = await GvmNode.start({ ...common, name: "node-b", ...bOptions });
  return {
    gpmd,
    a,
    b,
    async [Symbol.asyncDispose]() {
      a.close();
      b.close();
      await gpmd[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("`GvmNode` registers, connects to a peer and runs a call there", async () => {
  await using net = await network();
  assert.deepEqual((await net.a.discover()).sort(), ["node-a", "node-b"]);
  assert.equal(await net.a.connect("node-b"), "node-b");
  assert.equal(await net.a.connect("node-b"), "node-b", "connecting twice is harmless");
  assert.deepEqual(net.a.list(), ["node-b"]);
  assert.ok(await net.a.ping("node-b") >= 0);
  assert.equal(await net.a.peerCapacity("node-b"), 1);
  const output: string[] = [];
  const { callId, result } = net.a.run("node-b", {
    module: "math",
    fn: "add",
    args: [int(40n), int(2n)],
  }, { onOutput: (_fd, data) => output.push(new TextDecoder().decode(data)) });
  assert.match(callId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(await result, { types: ["i32"], values: [42] });
  assert.equal(output.join(""), "Adding Numbers From Wasm...\n");
  const index = await net.a.peerModules("node-b");
  assert.ok(index.get("math")?.includes("add"), JSON.stringify([...index]));
});

Deno.test("`GvmNode` lists a peer that dialled it, and disconnect() fails calls to it", async () => {
  await using net = await network();
  await net.a.connect("node-b");
  // b hears of a once the join completes; a ping from a round-trips after it.
  await net.a.ping("node-b");
  assert.deepEqual(net.b.list(), ["node-a"]);
  net.a.disconnect("node-b");
  assert.deepEqual(net.a.list(), []);
  assertGvmError(
    () => net.a.run("node-b", { module: "math", fn: "add", args: [] }),
    "NOT_CONNECTED",
  );
  assertGvmError(() => net.a.disconnect("node-b"), "NOT_CONNECTED");
});

Deno.test("`GvmNode.connect()` refuses itself, an unknown node, and a node that denies peers", async () => {
  await using net = await network({ denyPeers: true });
  await assertRejectsGvmError(net.a.connect("node-a"), "CONNECTION_DENIED", "is this node");
  await assertRejectsGvmError(net.a.connect("node-zz"), "NODE_NOT_FOUND");
  await assertRejectsGvmError(net.a.connect("node-b"), "CONNECTION_DENIED");
  assert.deepEqual(net.a.list(), []);
});

Deno.test("`GvmNode.cancel()` of an unknown call fails with BAD_ARGS", async () => {
  await using net = await network();
  assertGvmError(() => net.a.cancel("nope"), "BAD_ARGS", "No call nope is running");
});

Deno.test("`GvmNode.info()`, `moduleNames()` and `exportNames()` describe the node", async () => {
  await using net = await network();
  const info = net.a.info();
  assert.deepEqual(
    [info.name, info.id, info.host, info.port, info.gpmd, info.gpmdUp],
    ["node-a", net.a.id, "127.0.0.1", net.a.port, `127.0.0.1:${net.gpmd.port}`, true],
  );
  const names = await net.a.moduleNames();
  assert.ok(names.includes("math") && names.includes("hello"), names.join());
  assert.ok((await net.a.exportNames("math")).includes("add"));
  assert.deepEqual(await net.a.exportNames("missing"), []);
  assert.equal(net.a.capacity, 1);
  assert.equal(net.a.serving, 0);
});

Deno.test("`GvmNode.start()` with a name already live fails NAME_TAKEN; without a name it picks another", async () => {
  await using net = await network();
  const common = {
    gpmd: { host: "127.0.0.1", port: net.gpmd.port },
    cookie: COOKIE,
    modulesDir: MODULES,
    workers: 1,
  };
  await assertRejectsGvmError(GvmNode.start({ ...common, name: "node-a" }), "NAME_TAKEN");
  const c = await GvmNode.start(common);
  try {
    assert.match(c.name, /^node-\d{4}$/);
  } finally {
    c.close();
  }
});

Deno.test("`GvmNode.run()` with a signal aborted already fails CANCELLED and runs nothing", async () => {
  await using net = await network();
  await net.a.connect("node-b");
  const output: Uint8Array[] = [];
  const { result } = net.a.run("node-b", { module: "math", fn: "add", args: [int(1n), int(2n)] }, {
    signal: AbortSignal.abort(),
    onOutput: (_fd, data) => output.push(data),
  });
  await assertRejectsGvmError(result, "CANCELLED", "math.add was cancelled");
  assert.deepEqual(output, []);
  assert.equal(net.b.serving, 0);
});
