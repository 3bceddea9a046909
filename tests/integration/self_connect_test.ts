// A node never links to itself, however it is named: by its short name, as name@host:port of
// its own GPMD, or by a peer claiming its identity at its port.
import assert from "node:assert/strict";
import { dialPeer } from "../../lib/node/peer_link.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { MODULES_DIR, tempHome } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

Deno.test("`Node.connect()` refuses this node under every spelling of its name", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using node = await startInProcessNode(gpmd, MODULES_DIR);
  const port = gpmd.server.port;
  for (
    const spelling of [
      node.name,
      `${node.name}@127.0.0.1:${port}`,
      `${node.name}@localhost:${port}`,
    ]
  ) {
    await assertRejectsGvmError(node.connect(spelling), "CONNECTION_DENIED", "this node");
  }
  assert.deepEqual(node.list(), []);
});

Deno.test("a node refuses a peer connection that carries its own node id", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using node = await startInProcessNode(gpmd, MODULES_DIR);
  await assertRejectsGvmError(
    dialPeer({
      host: "127.0.0.1",
      port: node.port,
      expected: node.name,
      self: { name: "impostor", id: node.id },
      cookie: gpmd.options.cookie,
      handler: () => {},
    }),
    "CONNECTION_DENIED",
    "this node",
  );
  assert.deepEqual(node.list(), []);
});

Deno.test("`Node.connect()` to another spelling of a linked node keeps the one link", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using a = await startInProcessNode(gpmd, MODULES_DIR);
  await using b = await startInProcessNode(gpmd, MODULES_DIR);
  assert.equal(await a.connect(b.name), b.name);
  const port = gpmd.server.port;
  assert.equal(await a.connect(`${b.name}@127.0.0.1:${port}`), b.name);
  assert.equal(await a.connect(`${b.name}@localhost:${port}`), b.name);
  assert.deepEqual(a.list(), [b.name]);
});
