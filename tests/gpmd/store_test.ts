import assert from "node:assert/strict";
import { homePaths } from "../../lib/home.ts";
import { ModuleStore } from "../../lib/gpmd/store.ts";
import { assertRejectsGvmError } from "../_assert.ts";

const MATH = new URL("../fixtures/examples/math.wasm", import.meta.url);
const TYPES = new URL("../fixtures/examples/types.wasm", import.meta.url);

async function withStore(test: (store: ModuleStore, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await test(await ModuleStore.open(homePaths(root)), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`ModuleStore.put()` keeps names that would share a file name apart", () =>
  withStore(async (store) => {
    const math = await Deno.readFile(MATH);
    const types = await Deno.readFile(TYPES);
    await store.put("a-v1", "1", math);
    await store.put("a", "v1-1", types);
    assert.deepEqual((await store.get("a-v1", "1")).bytes, math);
    assert.deepEqual((await store.get("a", "v1-1")).bytes, types);
  }));

Deno.test("`ModuleStore.put()` run concurrently stores each version once and only once", () =>
  withStore(async (store, root) => {
    const math = await Deno.readFile(MATH);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.put("m", `v1.0.${i % 5}`, math)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
    assert.deepEqual(store.list(), [{
      name: "m",
      versions: ["v1.0.0", "v1.0.1", "v1.0.2", "v1.0.3", "v1.0.4"],
      latest: "v1.0.4",
    }]);
    const reopened = await ModuleStore.open(homePaths(root));
    assert.equal(reopened.list()[0].versions.length, 5);
  }));

Deno.test("`ModuleStore.get()` does not mistake Object.prototype members for versions", () =>
  withStore(async (store) => {
    await store.put("math", "v1", await Deno.readFile(MATH));
    await assertRejectsGvmError(store.get("math", "constructor"), "MODULE_NOT_FOUND");
    await assertRejectsGvmError(store.get("toString"), "MODULE_NOT_FOUND");
  }));

Deno.test("`ModuleStore.remove()` drops one version, keeps a file another version shares", () =>
  withStore(async (store, root) => {
    const bytes = await Deno.readFile(MATH);
    const a = await store.put("math", "v1", bytes);
    await store.put("math", "v2", bytes);
    await store.remove("math", "v1");
    assert.deepEqual(store.list(), [{ name: "math", versions: ["v2"], latest: "v2" }]);
    await Deno.stat(`${root}/modules/${a.sha256}.wasm`); // Still used by v2.
    await store.remove("math", "v2");
    assert.deepEqual(store.list(), []);
    await assert.rejects(Deno.stat(`${root}/modules/${a.sha256}.wasm`));
    await assertRejectsGvmError(store.remove("math", "v2"), "MODULE_NOT_FOUND", /no version v2/);
    await assertRejectsGvmError(store.remove("__proto__", "v1"), "MODULE_NOT_FOUND");
    // The index on disk agrees: a reopened store sees the same.
    assert.deepEqual((await ModuleStore.open(homePaths(root))).list(), []);
  }));
