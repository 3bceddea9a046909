// Node to node, driven through the CLI: real GPMD and node processes, one command a line on
// their piped standard input. Every wait is on printed output, with a deadline.
import assert from "node:assert/strict";
import { assertRejectsGvmError } from "../_assert.ts";
import { dialPeer } from "../../lib/node/peer_link.ts";
import {
  FIXTURES_DIR,
  MODULES_DIR,
  runGvm,
  tempHome,
  TestGpmd,
  TestNode,
  withoutStartup,
} from "./_harness.ts";

const UUID_V4 = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;
const ID_LINE = new RegExp(`^ID:  ${UUID_V4.source}\\n`);
const ERROR_LINE = /(?:^|\n)(error: ([A-Z_]+): [^\n]*)\n/;
const WAIT_MS = 15_000;
/** What Node.list() prints with no peers. */
const NO_PEERS = "(no connected nodes)\n";
/** What math.add prints, as a pattern. */
const ADDING = "Adding Numbers From Wasm\\.\\.\\.";

/**
 * Sends `line`, then `Node.info()` as a fence, and returns everything `line` printed on stdout
 * (the node runs one line at a time, so the fence's output starts where `line`'s ends).
 */
async function stdoutOf(node: TestNode, line: string): Promise<string> {
  const from = node.stdout.text.length;
  await node.send(line);
  await node.send("Node.info()");
  const fence = await node.stdout.waitFor(
    new RegExp(`name: ${node.name}\\nid: \\S+\\naddress: \\S+\\ngpmd: [^\\n]*\\n`),
    from,
  );
  return node.stdout.text.slice(from, fence.index);
}

/** Sends `line` and resolves with the `error: CODE: message` line it printed on stderr. */
async function errorOf(node: TestNode, line: string): Promise<{ line: string; code: string }> {
  const from = node.stderr.text.length;
  await node.send(line);
  const match = await node.stderr.waitFor(ERROR_LINE, from);
  return { line: match[1], code: match[2] };
}

/** Runs `probe` until `done` holds for its value; fails after `timeoutMs`. */
async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  while (true) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
    }
    // A poll interval, not a synchronisation: the condition is checked again on the next probe.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listOf(node: TestNode): Promise<string> {
  return node.command("Node.list()", "\n");
}

/** Connects `from` to `to` from the prompt; it answers with the peer's name. */
async function connect(from: TestNode, to: TestNode): Promise<void> {
  assert.equal(await from.command(`Node.connect(${to.name})`, "\n"), `${to.name}\n`);
}

/** Runs `test` on a GPMD and three nodes, A connected to B and C; all stop afterwards. */
async function withThreeNodes(
  test: (a: TestNode, b: TestNode, c: TestNode) => Promise<void>,
): Promise<void> {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address);
  await using c = await TestNode.start(home.path, gpmd.address);
  await connect(a, b);
  await connect(a, c);
  await test(a, b, c);
}

/** Asserts `Node.multicall(math.add(1,2))` on `node` prints `expected` within 10 seconds. */
async function assertMulticallWithin10s(node: TestNode, expected: RegExp): Promise<void> {
  const started = Date.now();
  const out = await stdoutOf(node, "Node.multicall(math.add(1,2))");
  const elapsed = Date.now() - started;
  assert.match(out, expected);
  assert.ok(elapsed < 10_000, `multicall took ${elapsed} ms`);
}

Deno.test("the seed's network transcript works word for word", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address, { name: "node-5651" });
  await using b = await TestNode.start(home.path, gpmd.address, { name: "node-8399" });

  assert.equal(await a.command("Node.discover()", "\n"), "node-5651,node-8399\n");
  assert.equal(await a.command("Node.connect(node-8399)", "\n"), "node-8399\n");
  assert.equal(await listOf(a), "node-8399\n");
  assert.equal(
    await a.command("math", "Reponse from the math module...\n"),
    "Reponse from the math module...\n",
  );
  assert.equal(
    await a.command("math.add(1,2)", /\n3\n/),
    "Adding Numbers From Wasm...\n\n3\n",
  );
  const runMain = await a.command(
    "Node.run(node-8399, math)",
    "Reponse from the math module...\n",
  );
  assert.match(runMain, new RegExp(`${ID_LINE.source}Reponse from the math module\\.\\.\\.\\n$`));
  const runAdd = await a.command("Node.run(node-8399,math.add(34,34))", /\n68\n/);
  assert.match(runAdd, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n68\\n$`));
  assert.notEqual(runMain.slice(5, 41), runAdd.slice(5, 41), "each run has its own id");

  assert.equal(
    await a.command("Node.disconnect(node-8399)", "\n"),
    "Disconnected from node-8399\n",
  );
  assert.equal(await listOf(a), NO_PEERS);
  await pollUntil("node-8399 to drop node-5651", () => listOf(b), (text) => text === NO_PEERS);

  // The whole session, word for word, with nothing printed in between.
  const transcript = a.stdout.text.replaceAll(new RegExp(UUID_V4.source, "g"), "<uuid>");
  assert.equal(
    transcript,
    [
      "node-5651,node-8399",
      "node-8399",
      "node-8399",
      "Reponse from the math module...",
      "Adding Numbers From Wasm...",
      "",
      "3",
      "ID:  <uuid>",
      "Reponse from the math module...",
      "ID:  <uuid>",
      "Adding Numbers From Wasm...",
      "68",
      "Disconnected from node-8399",
      "(no connected nodes)",
      "",
    ].join("\n"),
  );
  // Input is piped: the start-up lines come on stderr, and nothing else does.
  assert.equal(
    a.stderr.text.replaceAll(new RegExp(UUID_V4.source, "g"), "<uuid>"),
    `GVM has been created node-5651 (<uuid>)\nListening for nodes on port ${a.port}\n`,
  );
});

Deno.test("one connect works both ways: the connected-to node runs on the connector", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address);

  await connect(a, b);
  assert.equal(await listOf(b), `${a.name}\n`);
  const run = await b.command(`Node.run(${a.name}, math.add(20,22))`, /\n42\n/);
  assert.match(run, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n42\\n$`));
  const back = await a.command(`Node.run("${b.name}", math.mul(6,7))`, /\n42\n/);
  assert.match(back, new RegExp(`${ID_LINE.source}42\\n$`));
  assert.equal(withoutStartup(a.stderr.text), "");
  // The connected-to node says who connected, and nothing else.
  assert.equal(withoutStartup(b.stderr.text), `${a.name} connected\n`);
});

Deno.test("a node lacking a module gets it from the calling node", async () => {
  await using home = await tempHome();
  await using empty = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address, { modules: empty.path });

  // B really lacks it: running it locally there fails.
  assert.equal((await errorOf(b, "math.add(2,3)")).code, "MODULE_NOT_FOUND");
  await connect(a, b);
  const run = await a.command(`Node.run(${b.name}, math.add(2,3))`, /\n5\n/);
  assert.match(run, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n5\\n$`));
  // And again, now from B's cache.
  const again = await a.command(`Node.run(${b.name}, math.add(4,5))`, /\n9\n/);
  assert.match(again, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n9\\n$`));
  assert.deepEqual([...Deno.readDirSync(empty.path)], [], "nothing is written to B's folder");
});

Deno.test("nodes with empty modules folders run a module from GPMD's store", async () => {
  await using home = await tempHome();
  await using emptyA = await tempHome();
  await using emptyB = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const upload = await runGvm([
    "wasm",
    "upload",
    "--gpmd",
    gpmd.address,
    "--name=shipped",
    "--version=v0.0.1",
    `--file=${MODULES_DIR}/types.wasm`,
  ], { home: home.path });
  assert.equal(upload.code, 0, upload.stderr);
  assert.match(upload.stdout, /^Uploaded shipped v0\.0\.1 \(\d+ bytes, sha256 [0-9a-f]{64}\)\n$/);

  await using a = await TestNode.start(home.path, gpmd.address, { modules: emptyA.path });
  await using b = await TestNode.start(home.path, gpmd.address, { modules: emptyB.path });
  assert.equal(await a.command("shipped.add64(1,2)", "\n"), "3\n");
  assert.equal(await b.command("shipped.add64(1,2)", "\n"), "3\n");
  assert.equal(await b.command("shipped.add64(9007199254740993,1)", "\n"), "9007199254740994\n");
  assert.equal(withoutStartup(a.stderr.text + b.stderr.text), "");
});

Deno.test("multicall shows each node's output, a line at a time, naming the node", () =>
  withThreeNodes(async (a, b, c) => {
    const out = await stdoutOf(a, "Node.multicall(math)");
    const lines = out.trimEnd().split("\n").sort();
    assert.deepEqual(
      lines,
      [
        `${b.name}: Reponse from the math module...`,
        `${c.name}: Reponse from the math module...`,
      ].sort(),
    );
    // An error raised on a peer says which one raised it.
    const error = await errorOf(a, `Node.run(${b.name}, math.nosuch())`);
    assert.match(error.line, new RegExp(`^error: EXPORT_NOT_FOUND: on ${b.name}: math has no`));
  }));

Deno.test("multicall with one peer SIGKILLed still answers for the live one, quickly", () =>
  withThreeNodes(async (a, b, c) => {
    assert.equal(await listOf(a), `${b.name},${c.name}\n`);
    c.kill();
    await c.exit();
    // C is either still listed (its line is an error) or already dropped (no line for it).
    await assertMulticallWithin10s(
      a,
      new RegExp(
        `^${b.name}: ${ADDING}\\n${b.name}: 3\\n(?:${c.name}: error: PEER_DOWN: [^\\n]*\\n)?$`,
      ),
    );
  }));

Deno.test("multicall with one peer frozen (SIGSTOP) reports PEER_DOWN for it within seconds", () =>
  withThreeNodes(async (a, b, c) => {
    // A frozen process keeps its socket open: only the missing heartbeats tell A it is gone.
    c.kill("SIGSTOP");
    await assertMulticallWithin10s(
      a,
      new RegExp(`^${b.name}: ${ADDING}\\n${b.name}: 3\\n${c.name}: error: PEER_DOWN: [^\\n]*\\n$`),
    );
    assert.equal(await listOf(a), `${b.name}\n`);
  }));

Deno.test("a peer SIGKILLed mid-call fails the call with PEER_DOWN and leaves the list", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
  await using b = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });

  await connect(a, b);
  const errFrom = a.stderr.text.length;
  const run = await a.command(`Node.run(${b.name}, spin.forever())`, /ID: {2}\S+\n/);
  assert.match(run, new RegExp(`${ID_LINE.source}$`));

  b.kill();
  const killed = Date.now();
  const failure = await a.stderr.waitFor(ERROR_LINE, errFrom);
  const elapsed = Date.now() - killed;
  assert.equal(failure[2], "PEER_DOWN", failure[1]);
  assert.ok(elapsed < 5_000, `PEER_DOWN took ${elapsed} ms`);

  await pollUntil(`${a.name} to drop ${b.name}`, () => listOf(a), (text) => text === NO_PEERS);
  // A itself is fine: it still runs modules from its own folder.
  assert.equal(await a.command("spin.count(10)", "\n"), "10\n");
  // Node.run would connect again, but B is gone from GPMD too.
  assert.equal((await errorOf(a, `Node.run(${b.name}, spin.count(1))`)).code, "NODE_NOT_FOUND");
});

Deno.test("peers keep working while GPMD is down, and re-register when it returns", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const port = gpmd.port;
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address);
  await connect(a, b);

  gpmd.kill();
  await gpmd.exit();
  // Both nodes notice (they print a notice on stderr) and keep running.
  await a.stderr.waitFor(/GPMD at \S+ is gone/);
  await b.stderr.waitFor(/GPMD at \S+ is gone/);

  const ab = await a.command(`Node.run(${b.name}, math.add(1,1))`, /\n2\n/);
  assert.match(ab, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n2\\n$`));
  const ba = await b.command(`Node.run(${a.name}, math.add(2,2))`, /\n4\n/);
  assert.match(ba, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n4\\n$`));
  assert.match((await errorOf(a, "Node.discover()")).code, /^GPMD_(DOWN|NOT_RUNNING)$/);
  // A module the folder lacks could be in the store: say GPMD is the problem, not the name.
  assert.match(
    (await errorOf(a, "storedonly.run()")).line,
    /^error: GPMD_DOWN: No module named storedonly in \S+, and GPMD at \S+ is unreachable/,
  );

  await using again = await TestGpmd.start(home.path, port);
  assert.equal(again.port, port);
  const both = [a.name, b.name].sort().join(",");
  await pollUntil(
    "both nodes to re-register",
    () => stdoutOf(a, "Node.discover()"),
    (out) => out.trim().split(",").sort().join(",") === both,
  );
  const fromB = await b.command("Node.discover()", "\n");
  assert.equal(fromB.trim().split(",").sort().join(","), both);
  // Still connected to each other throughout.
  assert.equal(await listOf(a), `${b.name}\n`);
  const after = await a.command(`Node.run(${b.name}, math.add(3,3))`, /\n6\n/);
  assert.match(after, new RegExp(`${ID_LINE.source}Adding Numbers From Wasm\\.\\.\\.\\n6\\n$`));
});

Deno.test("a peer connection with the wrong cookie is refused and the node keeps serving", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using b = await TestNode.start(home.path, gpmd.address);
  const self = { name: "node-0001", id: crypto.randomUUID() };

  await assertRejectsGvmError(
    dialPeer({
      host: "127.0.0.1",
      port: b.port,
      expected: b.name,
      self,
      cookie: "not-the-cookie",
      handler: () => {},
    }),
    "AUTH_FAILED",
  );
  assert.equal(await listOf(b), NO_PEERS);

  const cookie = (await Deno.readTextFile(`${home.path}/cookie`)).trim();
  const peer = await dialPeer({
    host: "127.0.0.1",
    port: b.port,
    expected: b.name,
    self,
    cookie,
    handler: () => {},
  });
  try {
    assert.equal(peer.name, b.name);
    await peer.conn.request({ t: "ping" });
    assert.equal(await listOf(b), `${self.name}\n`);
  } finally {
    peer.conn.close();
  }
  await pollUntil(`${b.name} to drop ${self.name}`, () => listOf(b), (text) => text === NO_PEERS);
  // And a real node still connects.
  await using a = await TestNode.start(home.path, gpmd.address);
  await connect(a, b);
});

Deno.test("a node started with --deny-peers refuses connections", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address, { extra: ["--deny-peers"] });

  const refused = await errorOf(a, `Node.connect(${b.name})`);
  assert.equal(refused.code, "CONNECTION_DENIED", refused.line);
  assert.equal(await listOf(a), NO_PEERS);
  assert.equal(await listOf(b), NO_PEERS);
});

Deno.test("connect edge cases: self, twice, not connected, unknown node", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address);
  await using b = await TestNode.start(home.path, gpmd.address);

  assert.equal((await errorOf(a, `Node.connect(${a.name})`)).code, "CONNECTION_DENIED");
  assert.equal(await listOf(a), NO_PEERS);

  const notYet = await errorOf(a, `Node.ping(${b.name})`);
  assert.equal(notYet.code, "NOT_CONNECTED", notYet.line);
  assert.equal((await errorOf(a, "Node.connect(node-0000)")).code, "NODE_NOT_FOUND");

  await connect(a, b);
  assert.equal(await a.command(`Node.connect("${b.name}")`, "\n"), `${b.name}\n`);
  assert.equal(await listOf(a), `${b.name}\n`);
  assert.equal(await listOf(b), `${a.name}\n`);
  assert.match(await a.command(`Node.run(${b.name}, math.add(1,2))`, /\n3\n/), ID_LINE);

  assert.equal(
    await a.command(`Node.disconnect(${b.name})`, "\n"),
    `Disconnected from ${b.name}\n`,
  );
  assert.equal((await errorOf(a, `Node.ping(${b.name})`)).code, "NOT_CONNECTED");
  const unknown = await errorOf(a, "Node.disconnect(node-0000)");
  assert.equal(unknown.code, "NOT_CONNECTED");
  // No advice to connect to a node that may not exist.
  assert.doesNotMatch(unknown.line, /Node\.connect/);
});

Deno.test("Node.ping prints the round trip, Node.info this node's identity and addresses", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using a = await TestNode.start(home.path, gpmd.address, { name: "node-6001" });
  await using _b = await TestNode.start(home.path, gpmd.address, { name: "node-6002" });
  await a.command("Node.connect(node-6002)", /node-6002\n/);
  assert.match(await a.command("Node.ping(node-6002)", /\n/), /^node-6002: \d+\.\d{2} ms\n$/);
  const info = await a.command("Node.info()", /gpmd: [^\n]*\n/);
  assert.match(
    info,
    new RegExp(
      `^name: node-6001\\nid: [0-9a-f-]{36}\\naddress: 127\\.0\\.0\\.1:${a.port}\\ngpmd: ${
        gpmd.address.replaceAll(".", "\\.")
      } \\(registered\\)\\n$`,
    ),
  );
});
