// Module bodies travel in chunks, checked by sha256 and cached by hash: a module larger than the
// frame cap runs locally and on a peer with default flags, a store module is downloaded once per
// content, and a burst of body requests neither stalls GPMD nor swells it.
import assert from "node:assert/strict";
import { GpmdClient } from "../../mod.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../../lib/limits.ts";
import { MODULES_DIR, tempHome, TestGpmd } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";
import { RawClient } from "./_raw_wire.ts";
import { paddedWasm } from "../wasm/_wasm_bytes.ts";

const MiB = 1024 * 1024;
const int = (n: number) => ({ type: "int" as const, value: BigInt(n) });

/** math.wasm padded by a custom section to `size` bytes; `salt` makes its hash new. */
async function bigModule(size: number, salt = Math.random()): Promise<Uint8Array> {
  const { bytes } = paddedWasm(await Deno.readFile(`${MODULES_DIR}/math.wasm`), size);
  new DataView(bytes.buffer).setFloat64(bytes.length - 9, salt);
  return bytes;
}

Deno.test("a 32 MiB module, twice the frame cap, runs locally and on a peer with default flags", async () => {
  await using home = await tempHome();
  const dir = await Deno.makeTempDir({ prefix: "gvm-big-" });
  try {
    const bytes = await bigModule(32 * MiB);
    assert.ok(bytes.length > DEFAULT_MAX_FRAME_BYTES);
    await Deno.writeFile(`${dir}/big.wasm`, bytes);
    await using gpmd = await startInProcessGpmd(home.path);
    await using a = await startInProcessNode(gpmd, dir, { workers: 1 });
    await using b = await startInProcessNode(gpmd, MODULES_DIR, { workers: 1 });
    assert.deepEqual((await a.call({ module: "big", fn: "mul", args: [int(6), int(7)] })).values, [
      42,
    ]);
    await a.connect(b.name);
    // B lacks `big`: it asks A for the body by hash, in chunks, and checks it.
    const started = performance.now();
    const { result } = a.run(b.name, { module: "big", fn: "mul", args: [int(2), int(3)] });
    assert.deepEqual((await result).values, [6]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`shipped 32 MiB in ${(seconds * 1000).toFixed(0)} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 20 MiB module goes to GPMD's store and back in chunks", async () => {
  await using home = await tempHome();
  const empty = await Deno.makeTempDir({ prefix: "gvm-none-" });
  try {
    await using gpmd = await startInProcessGpmd(home.path);
    const bytes = await bigModule(20 * MiB);
    {
      await using client = await GpmdClient.connect({
        address: gpmd.options.gpmd,
        cookie: gpmd.options.cookie,
      });
      const stored = await client.upload("big", "v0.0.1", bytes);
      assert.equal(stored.version, "v0.0.1");
      const back = await client.fetchModule({ name: "big" });
      assert.equal(back.bytes.length, bytes.length);
      assert.deepEqual(back.bytes.subarray(-16), bytes.subarray(-16));
    }
    await using node = await startInProcessNode(gpmd, empty, { workers: 1 });
    assert.deepEqual(
      (await node.call({ module: "big", fn: "add", args: [int(1), int(2)] })).values,
      [
        3,
      ],
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("a store-only module is downloaded once per content, not on every call", async () => {
  await using home = await tempHome();
  const empty = await Deno.makeTempDir({ prefix: "gvm-none-" });
  try {
    await using gpmd = await startInProcessGpmd(home.path);
    await using client = await GpmdClient.connect({
      address: gpmd.options.gpmd,
      cookie: gpmd.options.cookie,
    });
    await client.upload("store8", "v0.0.1", await bigModule(8 * MiB));
    await using node = await startInProcessNode(gpmd, empty, { workers: 1 });
    const served = async () => (await client.status()).bodiesServed;
    for (let i = 0; i < 5; i++) {
      const result = await node.call({ module: "store8", fn: "mul", args: [int(i), int(2)] });
      assert.deepEqual(result.values, [i * 2]);
    }
    assert.equal(await served(), 1, "one download for five calls");
    // A new version is new content: downloaded once more, then cached too.
    await client.upload("store8", "v0.0.2", await bigModule(8 * MiB));
    for (let i = 0; i < 3; i++) {
      await node.call({ module: "store8", fn: "add", args: [int(i), int(1)] });
    }
    assert.equal(await served(), 2);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("a module over the cap fails with an error naming the cap and its flag", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path);
  const dir = await Deno.makeTempDir({ prefix: "gvm-cap-" });
  try {
    await Deno.writeFile(`${dir}/big.wasm`, await bigModule(3 * MiB));
    await using node = await startInProcessNode(gpmd, dir, { workers: 1, maxModuleBytes: 2 * MiB });
    await assert.rejects(
      node.call({ module: "big", fn: "add", args: [int(1), int(2)] }),
      /over the 2097152-byte cap \(--max-module-bytes\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function rssMiB(pid: number): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).output();
  return Number(new TextDecoder().decode(out.stdout).trim()) / 1024;
}

Deno.test("a burst of 60 pipelined module.get then a hang-up neither stalls nor swells GPMD", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const cookie = (await Deno.readTextFile(`${home.path}/cookie`)).trim();
  const address = { host: "127.0.0.1", port: gpmd.port };
  await using client = await GpmdClient.connect({ address, cookie });
  await client.upload("nine", "v0.0.1", await bigModule(9 * MiB));
  const before = await rssMiB(gpmd.child.pid);

  await using raw = await RawClient.connect(gpmd.port);
  await raw.handshake(cookie);
  for (let id = 1; id <= 60; id++) await raw.send({ t: "module.get", id, name: "nine" });
  // Read a little, then hang up with most of the burst unserved.
  await raw.readFrame(5_000);
  raw.close();

  // An honest client is answered at once meanwhile.
  let worst = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await client.discover();
    worst = Math.max(worst, performance.now() - t0);
  }
  assert.ok(worst < 1_000, `discover took ${worst.toFixed(0)} ms during the burst`);
  const after = await rssMiB(gpmd.child.pid);
  assert.ok(after - before < 200, `GPMD grew from ${before.toFixed(0)} to ${after.toFixed(0)} MiB`);
  // The work for the closed connection was dropped: GPMD sent at most the bodies in flight.
  const served = (await client.status()).bodiesServed ?? 0;
  assert.ok(served <= 3, `${served} bodies sent to a connection that hung up`);
});
