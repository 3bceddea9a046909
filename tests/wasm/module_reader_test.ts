// The one wasm binary reader: its LEB128 rule, the section walker, the sections read in one pass
// and those decoded on demand. Modules are spelled out byte by byte; no permissions needed.
import assert from "node:assert/strict";
import { GvmError } from "../../lib/errors.ts";
import {
  ByteReader,
  codeBodies,
  definedTables,
  encodeU32,
  hex,
  MalformedModule,
  readModule,
  SECTION,
  section,
  sectionReader,
  startFunction,
  walkSections,
} from "../../lib/wasm/module_reader.ts";
import { assertGvmError } from "../_assert.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const I32 = 0x7f;

const reader = (...bytes: number[]) =>
  new ByteReader(new Uint8Array(bytes), 0, bytes.length, "test");
const vec = (items: number[][]) => [...encodeU32(items.length), ...items.flat()];
const name = (text: string) => {
  const bytes = [...new TextEncoder().encode(text)];
  return [...encodeU32(bytes.length), ...bytes];
};
const sec = (id: number, body: number[]) => [id, ...encodeU32(body.length), ...body];
const wasm = (...sections: number[][]) => new Uint8Array([...HEADER, ...sections.flat()]);
/** A body: no locals, then `code`, then `end`. */
const body = (...code: number[]) => {
  const content = [0, ...code, 0x0b];
  return [...encodeU32(content.length), ...content];
};

Deno.test("`encodeU32()` and `ByteReader.u32()` agree on every width", () => {
  for (const value of [0, 1, 127, 128, 624485, 2 ** 31, 2 ** 32 - 1]) {
    assert.equal(reader(...encodeU32(value)).u32(), value);
  }
  assert.deepEqual(encodeU32(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(reader(...encodeU32(2 ** 40)).u64(), 2 ** 40);
});

Deno.test("`ByteReader` has one overflow rule: width, last-byte bits, 2^53", () => {
  // 2^32 needs a fifth byte carrying bit 32, which a u32 may not have.
  assertGvmError(() => reader(0x80, 0x80, 0x80, 0x80, 0x10).u32(), "BAD_MODULE", /too large/);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 2 ** 32 - 1);
  assertGvmError(
    () => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(),
    "BAD_MODULE",
    /longer than 5 bytes/,
  );
  assertGvmError(() => reader(0x80, 0x80).u32(), "BAD_MODULE", /truncated LEB128 at byte 0/);
  assertGvmError(() => reader().u32(), "BAD_MODULE", /unexpected end of test at byte 0/);
  const past53 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
  assertGvmError(() => reader(...past53).u64(), "BAD_MODULE", /too large/);
});

Deno.test("`ByteReader.skipLeb()` skips signed immediates of up to 10 bytes", () => {
  // i64.const -1 is ten bytes; an unsigned read would refuse its last one.
  const r = reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x2a);
  r.skipLeb();
  assert.equal(r.byte(), 0x2a);
  assertGvmError(() => reader(...new Array(11).fill(0x80)).skipLeb(), "BAD_MODULE", /longer/);
});

Deno.test("`ByteReader` refuses counts and names that cannot fit what is left", () => {
  assertGvmError(() => reader(5, 1).count("thing"), "BAD_MODULE", /thing count 5 at byte 0/);
  assertGvmError(() => reader(3, 0x61).name(), "BAD_MODULE", /runs past the end of test/);
  assertGvmError(() => reader(1, 0xff).name(), "BAD_MODULE", /not valid UTF-8/);
  assert.equal(reader(...name("héllo")).name(), "héllo");
  const r = reader(1, 2, 3);
  assert.equal(r.peek(), 1);
  r.skip(2);
  assert.deepEqual([r.pos, r.remaining, r.end], [2, 1, 3]);
  assertGvmError(() => r.skip(2), "BAD_MODULE", /unexpected end/);
});

Deno.test("what the reader throws is a `MalformedModule`, a BAD_MODULE `GvmError`", () => {
  const error = assertGvmError(() => readModule(new Uint8Array([1, 2, 3])), "BAD_MODULE");
  assert.ok(error instanceof MalformedModule);
  assert.ok(error instanceof GvmError);
  assert.equal(error.name, "GvmError");
  assert.equal(error.message, "Cannot read module: not a wasm binary (bad magic)");
  assert.equal(hex(15), "0x0f");
});

Deno.test("`walkSections()` gives every section's range, custom ones included", () => {
  const bytes = wasm(sec(0, [...name("c"), 9]), sec(1, vec([])), sec(0, name("d")));
  assert.deepEqual(walkSections(bytes), [
    { id: 0, start: 8, contentStart: 10, end: 13 },
    { id: 1, start: 13, contentStart: 15, end: 16 },
    { id: 0, start: 16, contentStart: 18, end: 20 },
  ]);
  assertGvmError(() => walkSections(wasm(sec(3, []), sec(1, []))), "BAD_MODULE", /out of order/);
  assertGvmError(() => walkSections(wasm([1, 9, 0])), "BAD_MODULE", /runs past the end/);
});

// (type (func (param i32 i32) (result i32)))
// (import "wasi_snapshot_preview1" "fd_write" (func (type 0)))
// (import "env" "mem" (memory 1))
// (func (type 0)) (func (type 0))
// (table 2 funcref)  (memory declared by import)
// (export "add" (func 1)) (export "mem" (memory 0)) (start 2)
const FULL = wasm(
  sec(1, vec([[0x60, 2, I32, I32, 1, I32]])),
  sec(
    2,
    vec([
      [...name("wasi_snapshot_preview1"), ...name("fd_write"), 0, 0],
      [...name("env"), ...name("mem"), 2, 0, 1],
    ]),
  ),
  sec(3, vec([[0], [0]])),
  sec(4, vec([[0x70, 0, 2]])),
  sec(7, vec([[...name("add"), 0, 1], [...name("mem"), 2, 0]])),
  sec(8, [2]),
  sec(10, vec([body(0x20, 0, 0x20, 1, 0x6a), body(0x41, 0x7f)])),
);

Deno.test("`readModule()` reads the header sections in one pass, with index spaces", () => {
  const m = readModule(FULL);
  assert.equal(m.bytes, FULL);
  assert.deepEqual(m.sections.map((s) => s.id), [1, 2, 3, 4, 7, 8, 10]);
  assert.deepEqual(m.types, [{ params: ["i32", "i32"], results: ["i32"] }]);
  assert.deepEqual(m.imports, [
    { module: "wasi_snapshot_preview1", name: "fd_write", kind: "function" },
    { module: "env", name: "mem", kind: "memory" },
  ]);
  assert.deepEqual(m.functionTypes, [0, 0, 0]);
  assert.equal(m.importedFunctions, 1);
  assert.deepEqual(m.memories, [{ min: 1, shared: false, memory64: false }]);
  assert.equal(m.importedMemories, 1);
  assert.deepEqual(m.memoryRanges, [], "the one memory is imported");
  assert.deepEqual([m.tables, m.globals, m.tags, m.codeBodies], [1, 0, 0, 2]);
  assert.deepEqual(m.exports, [{ name: "add", kind: "function" }, { name: "mem", kind: "memory" }]);
  assert.deepEqual(m.exportIndices, [1, 0]);
  assert.equal(m.functions.get("add"), m.types[0]);
});

Deno.test("`readModule()` records where each defined memory's limits sit", () => {
  const bytes = wasm(sec(5, vec([[0x01, 1, 0x80, 0x01], [0x04, 2]])));
  const m = readModule(bytes);
  assert.deepEqual(m.memories, [
    { min: 1, max: 128, shared: false, memory64: false },
    { min: 2, shared: false, memory64: true },
  ]);
  assert.deepEqual(m.memoryRanges, [{ start: 11, end: 15 }, { start: 15, end: 17 }]);
  assert.deepEqual([...bytes.subarray(11, 15)], [0x01, 1, 0x80, 0x01]);
});

Deno.test("`startFunction()` and `codeBodies()` decode on demand from the recorded ranges", () => {
  const m = readModule(FULL);
  assert.equal(startFunction(m), 2);
  assert.equal(startFunction(readModule(wasm())), undefined);
  const bodies = codeBodies(m);
  assert.equal(bodies.length, 2);
  assert.deepEqual([...FULL.subarray(bodies[1].start, bodies[1].end)], [0, 0x41, 0x7f, 0x0b]);
  assert.deepEqual(codeBodies(readModule(wasm())), []);
  const code = section(m, SECTION.code)!;
  assert.equal(sectionReader(FULL, code).u32(), 2, "a section reader starts at its content");
});

Deno.test("`definedTables()` reads limits past typed references and initial values", () => {
  // (table 1 10 funcref), then (table 2 (ref null func) (ref.func 0)) in the 0x40 0x00 form.
  const bytes = wasm(
    sec(4, vec([[0x70, 0x01, 1, 10], [0x40, 0x00, 0x63, 0x70, 0x00, 2, 0xd2, 0, 0x0b]])),
  );
  const tables = definedTables(readModule(bytes));
  assert.deepEqual(tables.map(({ flags, min, max }) => ({ flags, min, max })), [
    { flags: 1, min: 1, max: 10 },
    { flags: 0, min: 2, max: undefined },
  ]);
  assert.deepEqual([...bytes.subarray(tables[0].start, tables[0].end)], [0x01, 1, 10]);
  assertGvmError(
    () => definedTables(readModule(wasm(sec(4, vec([[0x70, 0x08, 1]])))), "t"),
    "BAD_MODULE",
    "t declares a custom page size",
  );
  assertGvmError(
    () => definedTables(readModule(wasm(sec(4, vec([[0x40, 0, 0x70, 0, 1, 0x10, 0, 0x0b]])))), "t"),
    "BAD_MODULE",
    "t initialises a table with an instruction GVM cannot check (0x10)",
  );
});
