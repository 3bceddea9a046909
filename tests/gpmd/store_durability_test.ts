// What the store promises on disk: nothing listed that is not durable, content files never
// rewritten in place, one GPMD per store, and a damaged index rebuilt from what can be verified.
import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/hash.ts";
import { homePaths } from "../../lib/home.ts";
import { ModuleStore } from "../../lib/gpmd/store.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { assertRejectsGvmError } from "../_assert.ts";

const MATH = new URL("../fixtures/examples/math.wasm", import.meta.url);
const TYPES = new URL("../fixtures/examples/types.wasm", import.meta.url);

async function withRoot(test: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gvm-store-" });
  try {
    await test(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`ModuleStore.put()` whose index cannot be saved fails with IO_ERROR and lists nothing", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    const store = await ModuleStore.open(home);
    // A folder where the index file goes: the rename fails even for root, as a full disk would.
    await Deno.mkdir(home.modulesIndex);
    const math = await Deno.readFile(MATH);
    await assertRejectsGvmError(store.put("math", "v1", math), "IO_ERROR", "math v1");
    assert.deepEqual(store.list(), []);
    await Deno.remove(home.modulesIndex);
    await store.put("math", "v1", math);
    assert.deepEqual((await ModuleStore.open(home)).list().map((m) => m.name), ["math"]);
  }));

Deno.test("`ModuleStore.put()` of bytes already stored leaves the content file alone", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    const store = await ModuleStore.open(home);
    const math = await Deno.readFile(MATH);
    const { sha256 } = await store.put("math", "v1", math);
    const file = `${home.modulesDir}/${sha256}.wasm`;
    await Deno.utime(file, 0, 0);
    await store.put("math", "v2", math);
    await store.put("other", "v1", math);
    assert.equal((await Deno.stat(file)).mtime?.getTime(), 0);
  }));

Deno.test("`ModuleStore.put()` replaces a damaged content file through a new name, not in place", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    const store = await ModuleStore.open(home);
    const math = await Deno.readFile(MATH);
    const { sha256 } = await store.put("math", "v1", math);
    const file = `${home.modulesDir}/${sha256}.wasm`;
    // A reader that opened the old file keeps its bytes; new readers get whole new ones.
    await Deno.writeFile(file, math.subarray(0, 10));
    using reader = await Deno.open(file);
    await store.put("math", "v2", math);
    assert.equal((await reader.stat()).size, 10);
    assert.equal(await sha256Hex(await Deno.readFile(file)), sha256);
    const leftovers = [...Deno.readDirSync(home.modulesDir)].filter((e) => e.name.includes("tmp"));
    assert.deepEqual(leftovers, []);
  }));

for (const [label, text] of [["corrupt", '{"modules": {"math": '], ["empty", ""]]) {
  Deno.test(`\`ModuleStore.open()\` rebuilds a ${label} index from the content it can verify`, () =>
    withRoot(async (root) => {
      const home = homePaths(root);
      const store = await ModuleStore.open(home);
      const math = await Deno.readFile(MATH);
      const types = await Deno.readFile(TYPES);
      await store.put("math", "v1", math);
      await store.put("math", "v2", types);
      await store.put("types", "v1", types);
      const orphan = await sha256Hex(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      await Deno.writeFile(
        `${home.modulesDir}/${orphan}.wasm`,
        new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]),
      );
      await Deno.writeTextFile(home.modulesIndex, text);
      const lines: string[] = [];
      const reopened = await ModuleStore.open(home, { log: (line) => lines.push(line) });
      assert.deepEqual(reopened.list(), [
        { name: "math", versions: ["v1", "v2"], latest: "v2" },
        { name: "types", versions: ["v1"], latest: "v1" },
      ]);
      assert.deepEqual((await reopened.get("math", "v1")).bytes, math);
      const log = lines.join("\n");
      assert.match(log, /rebuilt/);
      assert.match(log, /3 versions of 2 modules/);
      assert.match(log, /1 content file.*gvm wasm upload/);
      // The damaged index is kept for a human to look at, and the new one is whole.
      const kept = [...Deno.readDirSync(root)].filter((e) =>
        e.name.startsWith("ghost.modules.json.")
      );
      assert.equal(kept.length, 1);
      assert.equal(Deno.readTextFileSync(`${root}/${kept[0].name}`), text);
      assert.equal((await ModuleStore.open(home)).list().length, 2);
    }));
}

Deno.test("`ModuleStore.open()` leaves out versions whose content fails its hash", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    const store = await ModuleStore.open(home);
    await store.put("math", "v1", await Deno.readFile(MATH));
    const types = await store.put("types", "v1", await Deno.readFile(TYPES));
    await Deno.writeFile(`${home.modulesDir}/${types.sha256}.wasm`, new Uint8Array([1, 2, 3]));
    await Deno.writeTextFile(home.modulesIndex, "not json");
    const lines: string[] = [];
    const reopened = await ModuleStore.open(home, { log: (line) => lines.push(line) });
    assert.deepEqual(reopened.list().map((m) => m.name), ["math"]);
    assert.match(lines.join("\n"), /types v1.*does not match/);
  }));

Deno.test("`GpmdServer.start()` refuses a store another GPMD holds, naming its pid and port", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    const cookie = "c".repeat(32);
    const first = await GpmdServer.start({ port: 0, home, cookie });
    try {
      await assertRejectsGvmError(
        GpmdServer.start({ port: 0, home, cookie }),
        "IO_ERROR",
        `pid ${Deno.pid}`,
        `port ${first.port}`,
      );
    } finally {
      await first[Symbol.asyncDispose]();
    }
    // Released on close: the next GPMD may have it.
    await (await GpmdServer.start({ port: 0, home, cookie }))[Symbol.asyncDispose]();
  }));

Deno.test("`ModuleStore.open()` that cannot rebuild a damaged index says how to recover", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    await (await ModuleStore.open(home)).put("math", "v1", await Deno.readFile(MATH));
    await Deno.writeTextFile(home.modulesIndex, "{");
    // The records' folder is a file now: unreadable, even for root.
    await Deno.remove(`${home.modulesDir}/versions`, { recursive: true });
    await Deno.writeTextFile(`${home.modulesDir}/versions`, "");
    await assertRejectsGvmError(
      ModuleStore.open(home),
      "IO_ERROR",
      "cannot be rebuilt",
      "move it aside",
      "gvm wasm upload",
    );
    // Following the advice works.
    await Deno.rename(home.modulesIndex, `${home.modulesIndex}.aside`);
    assert.deepEqual((await ModuleStore.open(home)).list(), []);
  }));

Deno.test("`GpmdServer.start()` with a damaged index starts, serves the rebuilt store and logs it", () =>
  withRoot(async (root) => {
    const home = homePaths(root);
    await (await ModuleStore.open(home)).put("math", "v1", await Deno.readFile(MATH));
    await Deno.writeTextFile(home.modulesIndex, "");
    const lines: string[] = [];
    const server = await GpmdServer.start({
      port: 0,
      home,
      cookie: "c".repeat(32),
      log: (line) => lines.push(line),
    });
    try {
      assert.equal(server.status().modules, 1);
      assert.match(
        lines.join("\n"),
        /was damaged \(it is empty\); rebuilt it .* 1 version of 1 module/,
      );
    } finally {
      await server[Symbol.asyncDispose]();
    }
  }));
