// Memory caps on modules spelled out byte by byte (the fixtures' growth is in engine_unit_test):
// the capped module as the reader would read it, what is left alone. No permissions needed.
import assert from "node:assert/strict";
import { capMemory, capModule } from "../../lib/wasm/memory_cap.ts";
import { readModule } from "../../lib/wasm/module_reader.ts";
import { assertGvmError } from "../_assert.ts";
import { PROGRAM, section, vec, wasm } from "./_wasm_bytes.ts";

// (table 1 funcref) (table 2 10 funcref) (memory 1) (memory 2 3)
const TABLES_AND_MEMORIES = wasm(
  section(4, vec([[0x70, 0, 1], [0x70, 1, 2, 10]])),
  section(5, vec([[0, 1], [1, 2, 3]])),
);

Deno.test("`capModule()` gives the capped module exactly as a fresh read of its bytes", () => {
  for (const bytes of [PROGRAM, TABLES_AND_MEMORIES]) {
    const capped = capModule(readModule(bytes), 64);
    assert.notEqual(capped.bytes, bytes);
    assert.deepEqual(capped, readModule(capped.bytes));
  }
});

Deno.test("`capMemory()` gives memories the headroom first, then tables, up to the cap", () => {
  const capped = readModule(capMemory(TABLES_AND_MEMORIES, 64));
  // 3 pages and 3 slots at start: memory 0 takes all the whole pages left, memory 1 none.
  assert.deepEqual(capped.memories.map((m) => [m.min, m.max]), [[1, 61], [2, 2]]);
  assert.ok(WebAssembly.validate(capMemory(TABLES_AND_MEMORIES, 64) as Uint8Array<ArrayBuffer>));
});

Deno.test("`capMemory()` leaves a module that needs no cap, and one it cannot follow, as it is", () => {
  const small = wasm(section(5, vec([[1, 1, 2]])));
  assert.equal(capMemory(small, 64), small);
  const module = readModule(small);
  assert.equal(capModule(module, 64), module);
  // A table section cut short: the reader's header pass skips it, the compiler will refuse it.
  const cut = wasm(section(4, [1, 0x70]));
  assert.equal(capMemory(cut, 64), cut);
});

Deno.test("`capMemory()` refuses initial sizes over the cap, naming the module", () => {
  assertGvmError(
    () => capMemory(TABLES_AND_MEMORIES, 2, "greedy"),
    "MEMORY_LIMIT",
    "greedy needs 0.188 MiB of memory at start (memories and tables), over the 0.125 MiB cap",
  );
});
