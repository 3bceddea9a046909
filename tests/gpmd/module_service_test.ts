import assert from "node:assert/strict";
import { ModuleService } from "../../lib/gpmd/module_service.ts";
import { ModuleStore } from "../../lib/gpmd/store.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { homePaths } from "../../lib/home.ts";
import { Connection } from "../../lib/protocol/connection.ts";
import { BodyCollector } from "../../lib/protocol/module_transfer.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { connectionPair } from "../protocol/_socket_pair.ts";

const MATH = new URL("../fixtures/examples/math.wasm", import.meta.url);

/** A ModuleService over a temp store, served on one side of a real socket as GPMD serves it. */
async function served(maxModuleBytes?: number) {
  const root = await Deno.makeTempDir({ prefix: "gvm-modsvc-test-" });
  const store = await ModuleStore.open(homePaths(root));
  const log: string[] = [];
  const service = new ModuleService({ store, maxModuleBytes, log: (line) => log.push(line) });
  const { client, server } = await connectionPair();
  server.start(async (message, conn) => {
    try {
      if (message.t === "module.part") service.part(message, conn);
      else if (message.t === "module.get") await service.get(message, conn);
      else if (message.t === "module.put") conn.reply(message.id, await service.put(message, conn));
    } catch (error) {
      conn.replyError(message.id, error);
    }
  });
  client.start(() => {});
  return {
    service,
    store,
    client,
    server,
    log,
    async [Symbol.asyncDispose]() {
      client.close();
      server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function put(
  client: Connection,
  upload: number,
  parts: Uint8Array[],
  fields: { size: number; sha256: string; name?: string },
) {
  for (const data of parts) client.send({ t: "module.part", upload, data });
  return await client.request({
    t: "module.put",
    upload,
    name: fields.name ?? "math",
    version: "v1",
    size: fields.size,
    sha256: fields.sha256,
  });
}

Deno.test("`ModuleService.put()` stores an upload sent in parts, and logs it", async () => {
  await using s = await served();
  const math = await Deno.readFile(MATH);
  const sha256 = await sha256Hex(math);
  const half = math.length >> 1;
  const reply = await put(s.client, 1, [math.subarray(0, half), math.subarray(half)], {
    size: math.length,
    sha256,
  });
  assert.deepEqual(reply, { name: "math", version: "v1", sha256 });
  assert.deepEqual((await s.store.get("math", "v1")).bytes, math);
  assert.deepEqual(s.log, [`stored module math v1 (${sha256})`]);
});

Deno.test("`ModuleService.put()` refuses a wrong hash, a missing upload and an oversize one", async () => {
  await using s = await served(1000);
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  await assertRejectsGvmError(
    put(s.client, 1, [bytes], { size: bytes.length, sha256: "0".repeat(64) }),
    "HASH_MISMATCH",
    "The upload has sha256",
  );
  await assertRejectsGvmError(
    put(s.client, 2, [], { size: 8, sha256: await sha256Hex(bytes) }),
    "PROTOCOL_ERROR",
    "Upload 2 has no parts",
  );
  await assertRejectsGvmError(
    put(s.client, 3, [], { size: 1001, sha256: "0".repeat(64) }),
    "BAD_MODULE",
    "math v1 is 1001 bytes, over GPMD's 1000-byte cap",
  );
  // Parts past the cap: the collector's own error, naming gpmd's flag.
  await assertRejectsGvmError(
    put(s.client, 4, [new Uint8Array(600), new Uint8Array(600)], {
      size: 1000,
      sha256: "0".repeat(64),
    }),
    "BAD_MODULE",
    "gvm gpmd start --max-module-bytes",
  );
  assert.deepEqual(s.store.list(), []);
});

Deno.test("`ModuleService.part()` with a new upload id starts that upload afresh", async () => {
  await using s = await served();
  const math = await Deno.readFile(MATH);
  s.client.send({ t: "module.part", upload: 1, data: new Uint8Array([1, 2, 3]) });
  const reply = await put(s.client, 2, [math], {
    size: math.length,
    sha256: await sha256Hex(math),
  });
  assert.equal(reply.version, "v1");
});

Deno.test("`ModuleService.get()` sends a body in chunks then its head; a head alone on request", async () => {
  await using s = await served();
  const math = await Deno.readFile(MATH);
  const sha256 = await sha256Hex(math);
  await s.store.put("math", "v1", math);
  const head = await s.client.request({ t: "module.get", name: "math", head: true });
  assert.deepEqual(head, { name: "math", version: "v1", sha256, size: math.length });
  assert.equal(s.service.bodiesServed, 0);
  const body = new BodyCollector({ maxBytes: 1 << 20, flag: "x", what: "math" });
  const reply = await s.client.request({ t: "module.get", sha256 }, {
    onEvent: (event) => body.add(event),
  });
  assert.deepEqual(body.finish(reply.size, reply.sha256), math);
  assert.equal(s.service.bodiesServed, 1);
  await assertRejectsGvmError(
    s.client.request({ t: "module.get", name: "nope" }),
    "MODULE_NOT_FOUND",
  );
});

Deno.test("`ModuleService.get()` queues bodies per connection and refuses past 64 waiting", async () => {
  await using s = await served();
  const math = await Deno.readFile(MATH);
  await s.store.put("math", "v1", math);
  // Called in one go: 2 bodies go out, 64 wait their turn, the next is refused.
  const gets = Array.from(
    { length: 67 },
    (_, i) => s.service.get({ t: "module.get", id: 1000 + i, name: "math" }, s.server),
  );
  await assertRejectsGvmError(gets[66], "PROTOCOL_ERROR", "Over 64 module bodies");
  await Promise.all(gets.slice(0, 66));
  assert.equal(s.service.bodiesServed, 66);
});

Deno.test("`ModuleService.get()` sends no body on a connection closed while it waited", async () => {
  await using s = await served();
  await s.store.put("math", "v1", await Deno.readFile(MATH));
  const gets = Array.from(
    { length: 5 },
    (_, i) => s.service.get({ t: "module.get", id: 2000 + i, name: "math" }, s.server),
  );
  s.server.close();
  s.service.drop(s.server);
  await Promise.all(gets);
  assert.equal(s.service.bodiesServed, 0);
});
