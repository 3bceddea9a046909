// The module catalog on bodies handed to it (no folder read): hashes checked, modules read once
// by the binary reader and capped, broken ones refused with the module's name. No permissions.
import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/hash.ts";
import { ModuleCatalog } from "../../lib/wasm/catalog.ts";
import { isModuleName } from "../../lib/names.ts";
import { readModule } from "../../lib/wasm/module_reader.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { PROGRAM, section, vec, wasm } from "./_wasm_bytes.ts";

const catalog = () =>
  new ModuleCatalog({ modulesDir: "/nonexistent-gvm-modules", maxMemoryPages: 16 });

Deno.test("`isModuleName()` takes plain names, not paths", () => {
  assert.equal(isModuleName("math"), true);
  assert.equal(isModuleName("my_mod-2"), true);
  assert.equal(isModuleName("../etc"), false);
  assert.equal(isModuleName(""), false);
});

Deno.test("`ModuleCatalog.add()` reads a module once, caps its memory and caches it by hash", async () => {
  const modules = catalog();
  const sha256 = await sha256Hex(PROGRAM);
  const loaded = await modules.add({ name: "prog", sha256, bytes: PROGRAM });
  assert.equal(loaded.name, "prog");
  assert.deepEqual(loaded.info.functions.get("add"), { params: ["i32", "i32"], results: ["i32"] });
  assert.deepEqual(loaded.info.memory, {
    min: 1,
    shared: false,
    memory64: false,
    exported: true,
    imported: false,
  });
  assert.equal(loaded.bytes, PROGRAM);
  assert.equal(readModule(loaded.runnable).memories[0].max, 16, "capped to maxMemoryPages");
  assert.equal((await modules.byHash(sha256))?.runnable, loaded.runnable);
  const renamed = await modules.add({ name: "other", sha256, bytes: PROGRAM });
  assert.equal(renamed.name, "other");
  assert.equal(renamed.runnable, loaded.runnable, "compiled once per content");
});

Deno.test("`ModuleCatalog.add()` refuses a body whose hash is not the one it came with", async () => {
  await assertRejectsGvmError(
    catalog().add({ name: "prog", sha256: "0".repeat(64), bytes: PROGRAM }),
    "HASH_MISMATCH",
    /^Module prog has sha256 [0-9a-f]{64}, not the 0+ it was sent as$/,
  );
});

Deno.test("`ModuleCatalog.add()` names the module in a reader's error and in a memory cap", async () => {
  const broken = wasm(section(1, [5]));
  await assertRejectsGvmError(
    catalog().add({ name: "broken", sha256: await sha256Hex(broken), bytes: broken }),
    "BAD_MODULE",
    /^broken\.wasm: Cannot read module: /,
  );
  const big = wasm(section(5, vec([[0, 0x80, 0x01]]))); // 128 pages at start
  await assertRejectsGvmError(
    catalog().add({ name: "big", sha256: await sha256Hex(big), bytes: big }),
    "MEMORY_LIMIT",
    /^big needs 8 MiB of memory at start/,
  );
});

Deno.test("`ModuleCatalog.load()` refuses what is not a module name, and a module it lacks", async () => {
  await assertRejectsGvmError(catalog().load("../x"), "MODULE_NOT_FOUND", "not a module name");
});
