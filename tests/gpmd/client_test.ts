import assert from "node:assert/strict";
import { until } from "../_until.ts";
import { GpmdClient, parseGpmdAddress } from "../../lib/gpmd/client.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";
import { startGpmd } from "./_gpmd.ts";

const MATH = new URL("../fixtures/examples/math.wasm", import.meta.url);
const TYPES = new URL("../fixtures/examples/types.wasm", import.meta.url);

Deno.test("`parseGpmdAddress()` fills in 127.0.0.1:5989 and rejects port 0", () => {
  assert.deepEqual(parseGpmdAddress(undefined), { host: "127.0.0.1", port: 5989 });
  assert.deepEqual(parseGpmdAddress(""), { host: "127.0.0.1", port: 5989 });
  assert.deepEqual(parseGpmdAddress("10.0.0.2"), { host: "10.0.0.2", port: 5989 });
  assert.deepEqual(parseGpmdAddress(":7000"), { host: "127.0.0.1", port: 7000 });
  assert.deepEqual(parseGpmdAddress("[::1]:7000"), { host: "::1", port: 7000 });
  assertGvmError(() => parseGpmdAddress("h:0"), "BAD_FLAGS", "Bad GPMD port in 'h:0'");
  assertGvmError(() => parseGpmdAddress("h:99999"), "BAD_FLAGS", "GPMD address");
});

Deno.test("`GpmdClient.connect()` to a closed port fails with GPMD_NOT_RUNNING and the fix", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assertRejectsGvmError(
    GpmdClient.connect({ address: { host: "127.0.0.1", port }, cookie: "x" }),
    "GPMD_NOT_RUNNING",
    `No GPMD answers at 127.0.0.1:${port}`,
    "gvm gpmd start",
  );
});

Deno.test("`GpmdClient.connect()` with the wrong cookie fails with AUTH_FAILED", async () => {
  await using gpmd = await startGpmd();
  await assertRejectsGvmError(
    GpmdClient.connect({ address: gpmd.address, cookie: "wrong" }),
    "AUTH_FAILED",
  );
});

Deno.test("`GpmdClient` registers a node for as long as its connection lives", async () => {
  await using gpmd = await startGpmd();
  const node = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  await using admin = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  const entry = { name: "node-1", id: "a".repeat(32), host: "127.0.0.1", port: 4000 };
  await node.register(entry);
  assert.deepEqual(await admin.discover(), ["node-1"]);
  assert.deepEqual(await admin.discover({ localOnly: true }), ["node-1"]);
  assert.deepEqual(await admin.lookup("node-1"), entry);
  await assertRejectsGvmError(admin.register(entry), "NAME_TAKEN");
  const status = await admin.status();
  assert.equal(status.port, gpmd.server.port);
  assert.deepEqual(status.nodes, ["node-1"]);
  assert.ok(node.isOpen);
  node.close();
  assert.equal(node.isOpen, false);
  assert.equal(await node.closed, undefined);
  // The registration ends with the connection; GPMD sees it close soon after.
  await until(
    "GPMD drops the registration",
    async () => (await admin.discover()).length === 0,
    () => admin.status(),
  );
  await assertRejectsGvmError(admin.lookup("node-1"), "NODE_NOT_FOUND");
});

Deno.test("`GpmdClient` uploads, lists, fetches, heads and removes modules", async () => {
  await using gpmd = await startGpmd();
  await using client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  const math = await Deno.readFile(MATH);
  const types = await Deno.readFile(TYPES);
  const sha = await sha256Hex(math);
  assert.deepEqual(await client.upload("math", "v1", math), {
    name: "math",
    version: "v1",
    sha256: sha,
  });
  await client.upload("math", "v2", types);
  await assertRejectsGvmError(client.upload("math", "v1", math), "MODULE_EXISTS");
  const listing = await client.listModules();
  assert.deepEqual(listing.map((m) => m.name), ["math"]);
  const latest = await client.fetchModule({ name: "math" });
  assert.equal(latest.version, "v2");
  assert.deepEqual(latest.bytes, types);
  const byHash = await client.fetchModule({ sha256: sha });
  assert.deepEqual([byHash.name, byHash.version, byHash.bytes], ["math", "v1", math]);
  assert.deepEqual(await client.moduleHead({ name: "math", version: "v1" }), {
    name: "math",
    version: "v1",
    sha256: sha,
    size: math.length,
  });
  await client.removeModule("math", "v1");
  await assertRejectsGvmError(client.removeModule("math", "v1"), "MODULE_NOT_FOUND");
  await assertRejectsGvmError(
    client.fetchModule({ name: "math", version: "v1" }),
    "MODULE_NOT_FOUND",
  );
});

Deno.test("`GpmdClient.fetchModule()` refuses a body over its module cap with BAD_MODULE", async () => {
  await using gpmd = await startGpmd();
  const math = await Deno.readFile(MATH);
  {
    await using up = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
    await up.upload("math", "v1", math);
  }
  await using small = await GpmdClient.connect({
    address: gpmd.address,
    cookie: gpmd.cookie,
    maxModuleBytes: 16,
  });
  await assertRejectsGvmError(
    small.fetchModule({ name: "math" }),
    "BAD_MODULE",
    "math from GPMD",
    "--max-module-bytes",
  );
});

Deno.test("`GpmdClient.stop()` shuts GPMD down; the connection closes", async () => {
  await using gpmd = await startGpmd();
  const client = await GpmdClient.connect({ address: gpmd.address, cookie: gpmd.cookie });
  await client.stop();
  await gpmd.server.done;
  await client.closed;
  assert.equal(client.isOpen, false);
  client.close();
});
