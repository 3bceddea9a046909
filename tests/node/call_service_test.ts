import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/hash.ts";
import { CallService } from "../../lib/node/call_service.ts";
import { Connection } from "../../lib/protocol/connection.ts";
import { decodeResults, encodeArgs } from "../../lib/protocol/wasm_values.ts";
import { ModuleCatalog } from "../../lib/wasm/catalog.ts";
import { WasmRuntime } from "../../lib/wasm/runtime.ts";
import { SandboxPool } from "../../lib/wasm/sandbox_pool.ts";
import { assertRejectsGvmError } from "../_assert.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const int = (value: bigint) => ({ type: "int" as const, value });

/**
 * A CallService over the example modules, serving one side of a real socket; `caller` is the
 * other side, whose handler answers the service's `module.need` from `callerModules`.
 */
async function served(modulesDir = MODULES) {
  const pool = new SandboxPool({ size: 1 });
  const runtime = new WasmRuntime({
    catalog: new ModuleCatalog({ modulesDir }),
    pool,
    timeoutMs: 10_000,
  });
  const fromGpmd: string[] = [];
  const service = new CallService({
    runtime,
    fetchFromGpmd: (sha256) => {
      fromGpmd.push(sha256);
      return Promise.reject(new Error("no GPMD here"));
    },
  });
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const caller = new Connection(
    await Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
    { heartbeatMs: 0 },
  );
  const server = new Connection(await accepted, { heartbeatMs: 0 });
  server.start((message, conn) => service.handle(message, conn));
  const callerModules = new Map<string, Uint8Array>();
  caller.start((message, conn) => {
    if (message.t !== "module.need" || message.id === undefined) return;
    const bytes = callerModules.get(message.sha256);
    if (!bytes) return conn.replyError(message.id, new Error("not here"));
    conn.send({ t: "chunk", re: message.id, data: bytes });
    conn.reply<"module.need">(message.id, { size: bytes.length });
  });
  return {
    service,
    caller,
    server,
    callerModules,
    fromGpmd,
    [Symbol.dispose]() {
      service.close();
      caller.close();
      server.close();
      pool.close();
    },
  };
}

Deno.test("`CallService` runs a peer's call and replies with its values and output", async () => {
  using s = await served();
  const reply = await s.caller.request({
    t: "call",
    callId: "c-1",
    module: "math",
    fn: "add",
    args: encodeArgs([int(2n), int(3n)]),
  });
  assert.deepEqual(decodeResults(reply.values), { types: ["i32"], values: [5] });
  assert.deepEqual(
    reply.out?.map(([fd, data]) => [fd, new TextDecoder().decode(data)]),
    [[1, "Adding Numbers From Wasm...\n"]],
  );
  assert.equal(s.service.runningCount, 0);
});

Deno.test("`CallService` answers a failing call with its code", async () => {
  using s = await served();
  await assertRejectsGvmError(
    s.caller.request({ t: "call", callId: "c-2", module: "nope", fn: "f", args: encodeArgs([]) }),
    "MODULE_NOT_FOUND",
  );
  await assertRejectsGvmError(
    s.caller.request({
      t: "call",
      callId: "c-3",
      module: "math",
      fn: "add",
      args: encodeArgs([int(1n)]),
    }),
    "BAD_ARGS",
  );
});

Deno.test("`CallService` refuses what a node does not serve, and invalid messages, with PROTOCOL_ERROR", async () => {
  using s = await served();
  await assertRejectsGvmError(
    s.caller.request({ t: "lookup", name: "x" }),
    "PROTOCOL_ERROR",
    "A node does not serve 'lookup'",
  );
  await assertRejectsGvmError(
    s.caller.request({
      t: "call",
      callId: "c-4",
      module: "math",
      fn: "add",
      args: encodeArgs([]),
      sha256: "not-a-hash",
    }),
    "PROTOCOL_ERROR",
    "Malformed sha256",
  );
});

Deno.test("`CallService` runs the caller's exact body, asking the caller for it when neither it nor GPMD has it", async () => {
  const empty = await Deno.makeTempDir({ prefix: "gvm-callsvc-test-" });
  try {
    using s = await served(empty);
    const math = await Deno.readFile(`${MODULES}/math.wasm`);
    const sha256 = await sha256Hex(math);
    s.callerModules.set(sha256, math);
    const reply = await s.caller.request({
      t: "call",
      callId: "c-5",
      module: "sum",
      fn: "add",
      args: encodeArgs([int(20n), int(22n)]),
      sha256,
    });
    assert.deepEqual(decodeResults(reply.values).values, [42]);
    assert.deepEqual(s.fromGpmd, [sha256], "GPMD is asked before the caller");
    // Now cached by hash: another peer can have it from here.
    const body: Uint8Array[] = [];
    const need = await s.caller.request({ t: "module.need", sha256 }, {
      onEvent: (event) => event.t === "chunk" && body.push(event.data.slice()),
    });
    assert.equal(need.size, math.length);
    assert.deepEqual(body, [math]);
    // A hash nobody has: MODULE_NOT_FOUND naming the module.
    await assertRejectsGvmError(
      s.caller.request({
        t: "call",
        callId: "c-6",
        module: "other",
        fn: "add",
        args: encodeArgs([]),
        sha256: "f".repeat(64),
      }),
      "MODULE_NOT_FOUND",
      `Cannot get other (${"f".repeat(12)})`,
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("`CallService` answers module.need for a hash it lacks with MODULE_NOT_FOUND", async () => {
  using s = await served();
  await assertRejectsGvmError(
    s.caller.request({ t: "module.need", sha256: "0".repeat(64) }),
    "MODULE_NOT_FOUND",
    `No module with hash ${"0".repeat(64)} here`,
  );
});

Deno.test("`CallService.cancel()` stops a running call, which fails CANCELLED; unknown ids are false", async () => {
  const fixtures = new URL("../fixtures", import.meta.url).pathname;
  using s = await served(fixtures);
  assert.equal(s.service.cancel("nope"), false);
  // "announce" prints a line and then spins: the line says the call is running.
  let started!: () => void;
  const running = new Promise<void>((resolve) => started = resolve);
  const call = s.caller.request({
    t: "call",
    callId: "spin-1",
    module: "spin",
    fn: "announce",
    args: encodeArgs([]),
  }, { onEvent: (event) => event.t === "out" && started() });
  await running;
  assert.equal(s.service.runningCount, 1);
  await assertRejectsGvmError(
    s.caller.request({
      t: "call",
      callId: "spin-1",
      module: "spin",
      fn: "announce",
      args: encodeArgs([]),
    }),
    "BAD_ARGS",
    "A call with this id is already running",
  );
  assert.equal(s.service.cancel("spin-1"), true);
  await assertRejectsGvmError(call, "CANCELLED");
});
