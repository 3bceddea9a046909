// The engine's binary rewrites and proofs, on fixtures built from WAT (tests/fixtures/*.wat).
import assert from "node:assert/strict";
import { boundedExports } from "../../lib/wasm/bounded_exports.ts";
import { usesGcTypes } from "../../lib/wasm/gc_types.ts";
import { capMemory } from "../../lib/wasm/memory_cap.ts";
import { importMemory, POOLED_MEMORY_IMPORT } from "../../lib/wasm/memory_import.ts";
import { MemoryPool } from "../../lib/wasm/memory_pool.ts";
import { assertGvmError } from "../_assert.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const fixture = (name: string) => Deno.readFileSync(new URL(`${name}.wasm`, FIXTURES));
const MODULES = new URL("../fixtures/examples/", import.meta.url);
const instantiate = (bytes: Uint8Array) =>
  new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));

Deno.test("only exports without loops, recursion, indirect calls or slow host calls are bounded", () => {
  const proven = [...boundedExports(fixture("bounded"))].sort();
  assert.deepEqual(proven, ["yes_add", "yes_grow", "yes_print", "yes_some_steps"]);
  assert.deepEqual([...boundedExports(fixture("spin"))], []);
  assert.deepEqual([...boundedExports(new Uint8Array([1, 2, 3]))], [], "garbage proves nothing");
});

Deno.test("capMemory caps 64-bit memories and tables so that all of them fit the cap", () => {
  const mem64 = instantiate(capMemory(fixture("mem64"), 64));
  assert.equal((mem64.exports.grow_all as () => bigint)(), 49n, "1 page, then 16 at a time, to 64");
  const tables = instantiate(capMemory(fixture("tables"), 64));
  assert.ok((tables.exports.grow_all as () => number)() <= 64 * 65536 / 8);
  assertGvmError(
    () => capMemory(fixture("bigtables"), 4096, "bigtables"),
    "MEMORY_LIMIT",
    /bigtables needs 305\.176 MiB of memory at start/,
  );
});

Deno.test("importMemory turns a module's one memory into an import, keeping its contents and limits", () => {
  const runnable = capMemory(Deno.readFileSync(new URL("math.wasm", MODULES)), 4096);
  const pooled = importMemory(runnable)!;
  assert.deepEqual([pooled.initial, pooled.maximum], [1, 4096]);
  const module = new WebAssembly.Module(pooled.bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`);
  assert.deepEqual(imports, [
    "wasi_snapshot_preview1.fd_write:function",
    `${POOLED_MEMORY_IMPORT.module}.${POOLED_MEMORY_IMPORT.name}:memory`,
  ]);
  const pool = new MemoryPool();
  const memory = pool.take(1, 4096);
  new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: { fd_write: () => 0 },
    gvm: { memory },
  });
  const text = new TextDecoder().decode(new Uint8Array(memory.buffer, 48, 27));
  assert.equal(text, "Adding Numbers From Wasm...", "data segments land in the imported memory");
  pool.give(memory, 1, 4096);
  assert.equal(pool.take(1, 4096), memory, "an ungrown memory is reused");
  assert.ok(new Uint8Array(memory.buffer).every((byte) => byte === 0), "and zeroed first");
  assert.equal(importMemory(capMemory(fixture("mem64"), 64)), null, "64-bit memories keep theirs");
});

Deno.test("a module with GC types is told apart: its arrays would live on the node's heap", () => {
  // (module (type (array (mut i8)))): the type section holds one array type.
  const gc = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x5e, 0x78, 1]);
  assert.ok(WebAssembly.validate(gc), "V8 accepts it");
  assert.equal(usesGcTypes(gc), true);
  assert.equal(usesGcTypes(Deno.readFileSync(new URL("math.wasm", MODULES))), false);
  assert.equal(usesGcTypes(fixture("bounded")), false);
});
