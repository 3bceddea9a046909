// Node to node through the library API, in process: a real GpmdServer and GvmNodes on free
// ports, each test with its own temp GHOST_HOME. Waits are on promises, never on the clock.
import assert from "node:assert/strict";
import { GvmError } from "../../lib/errors.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { dialPeer } from "../../lib/node/peer_link.ts";
import { decodeResults, encodeArgs } from "../../lib/protocol/wasm_values.ts";
import { sendChunks } from "../../lib/protocol/module_transfer.ts";
import type { CallArg } from "../../lib/wasm/values.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { FIXTURES_DIR, MODULES_DIR, tempHome } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

function int(value: number | bigint): CallArg {
  return { type: "int", value: BigInt(value) };
}

Deno.test("connect is seen from both sides", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using a = await startInProcessNode(gpmd, MODULES_DIR);
  await using b = await startInProcessNode(gpmd, MODULES_DIR);

  assert.deepEqual((await a.discover()).sort(), [a.name, b.name].sort());
  assert.equal(await a.connect(b.name), b.name);
  assert.deepEqual(a.list(), [b.name]);
  assert.deepEqual(b.list(), [a.name]);
  const { result } = b.run(a.name, { module: "math", fn: "add", args: [int(2), int(3)] });
  assert.deepEqual(await result, { types: ["i32"], values: [5] });
});

Deno.test("remote output streams back before the call ends", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR);
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR);
  await a.connect(b.name);

  const decoder = new TextDecoder();
  let output = "";
  let settled = false;
  let pendingAtTick: boolean | undefined;
  let tick!: () => void;
  const ticked = new Promise<void>((resolve) => tick = resolve);
  const call = a.run(b.name, { module: "slowprint", fn: "run", args: [int(600_000_000)] }, {
    onOutput: (fd, data) => {
      assert.equal(fd, 1);
      output += decoder.decode(data);
      if (pendingAtTick === undefined && output.includes("tick\n")) {
        pendingAtTick = !settled;
        tick();
      }
    },
  });
  call.result.finally(() => settled = true).catch(() => {});

  await ticked;
  assert.equal(pendingAtTick, true, "tick arrived while the call was still running");
  assert.equal(output, "tick\n");
  assert.deepEqual(await call.result, { types: [], values: [] });
  assert.equal(output, "tick\ntock\n");
});

Deno.test("500 concurrent calls on one connection are each matched to their reply", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using a = await startInProcessNode(gpmd, MODULES_DIR);
  await using b = await startInProcessNode(gpmd, MODULES_DIR);
  await a.connect(b.name);

  const calls = Array.from(
    { length: 500 },
    (_, i) => a.run(b.name, { module: "math", fn: "add", args: [int(i), int(1000)] }),
  );
  assert.equal(new Set(calls.map((c) => c.callId)).size, 500, "call ids are unique");
  const results = await Promise.all(calls.map((c) => c.result));
  results.forEach((result, i) => {
    assert.deepEqual(result, { types: ["i32"], values: [i + 1000] }, `call ${i}`);
  });
  assert.deepEqual(a.list(), [b.name]);
});

Deno.test("a module sent with a forged hash is refused with HASH_MISMATCH", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  await using empty = await tempHome();
  await using b = await startInProcessNode(gpmd, empty.path);

  const math = await Deno.readFile(`${MODULES_DIR}/math.wasm`);
  const types = await Deno.readFile(`${MODULES_DIR}/types.wasm`);
  const mathSha = await sha256Hex(math);
  let sent = types; // What our handler ships when B asks for the body.
  let asked = 0;
  const peer = await dialPeer({
    host: "127.0.0.1",
    port: b.port,
    expected: b.name,
    self: { name: "node-0002", id: crypto.randomUUID() },
    cookie: gpmd.options.cookie,
    handler: (message, conn) => {
      if (message.t === "module.need") {
        asked++;
        assert.equal(message.sha256, mathSha);
        sendChunks(conn, message.id!, sent).then(() =>
          conn.reply<"module.need">(message.id, { size: sent.length })
        );
      } else {
        conn.replyError(message.id, new GvmError("PROTOCOL_ERROR", `unexpected ${message.t}`));
      }
    },
  });
  try {
    const call = (callId: string) =>
      peer.conn.request({
        t: "call",
        callId,
        module: "math",
        fn: "add",
        args: encodeArgs([int(2), int(3)]),
        sha256: mathSha,
      });
    await assertRejectsGvmError(call(crypto.randomUUID()), "HASH_MISMATCH");
    assert.equal(asked, 1);

    // The forged body was not kept: B asks again, and the real one runs.
    sent = math;
    const reply = await call(crypto.randomUUID());
    const { types, values } = decodeResults(reply.values);
    assert.deepEqual([types, values], [["i32"], [5]]);
    assert.equal(asked, 2);
  } finally {
    peer.conn.close();
  }
});

// When two nodes connect to each other at the same moment, exactly one connection must
// survive, the same on both sides (as in Erlang distribution).
Deno.test({
  name: "two nodes connecting to each other at once end up connected",
  fn: async () => {
    await using home = await tempHome();
    await using gpmd = await startInProcessGpmd(home.path);
    await using a = await startInProcessNode(gpmd, MODULES_DIR);
    await using b = await startInProcessNode(gpmd, MODULES_DIR);

    assert.deepEqual(await Promise.all([a.connect(b.name), b.connect(a.name)]), [b.name, a.name]);
    const deadline = Date.now() + 5_000;
    while (true) {
      const connected = a.list().length === 1 && b.list().length === 1 &&
        await Promise.all([a.ping(b.name), b.ping(a.name)]).then(() => true, () => false);
      if (connected) break;
      assert.ok(Date.now() < deadline, `still not connected: ${a.list()} / ${b.list()}`);
      // A poll interval, not a synchronisation: the condition is checked again next round.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { result } = a.run(b.name, { module: "math", fn: "mul", args: [int(6), int(7)] });
    assert.deepEqual(await result, { types: ["i32"], values: [42] });
    assert.deepEqual([a.list(), b.list()], [[b.name], [a.name]]);
  },
});
