import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { readModuleInfo } from "../../lib/wasm/signatures.ts";

// A tiny wasm byte builder, so every test binary is spelled out next to its assertions.

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function vec(items: number[][]): number[] {
  return [...leb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...leb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function wasm(...sections: number[][]): Uint8Array {
  return new Uint8Array([...HEADER, ...sections.flat()]);
}

function funcType(params: number[], results: number[]): number[] {
  return [0x60, ...vec(params.map((t) => [t])), ...vec(results.map((t) => [t]))];
}

const types = (...entries: number[][]) => section(1, vec(entries));
const imports = (...entries: number[][]) => section(2, vec(entries));
const functions = (...typeIndices: number[]) => section(3, vec(typeIndices.map(leb)));
const memories = (...limits: number[][]) => section(5, vec(limits));
const exports = (...entries: number[][]) => section(7, vec(entries));
/** Bodies that are just `end`: the reader never looks inside them. */
const code = (count: number) => section(10, vec(Array.from({ length: count }, () => [2, 0, 0x0b])));

const exportOf = (
  field: string,
  kind: number,
  index: number,
) => [...name(field), kind, ...leb(index)];
const importFunc = (module: string, field: string, typeIndex: number) => [
  ...name(module),
  ...name(field),
  0x00,
  ...leb(typeIndex),
];

function assertBadModule(bytes: Uint8Array, problem: RegExp): void {
  const error = assertGvmError(
    () => readModuleInfo(bytes),
    "BAD_MODULE",
    /^Cannot read module: /,
    problem,
  );
  assert.doesNotMatch(error.message, /\n/);
}

Deno.test("`readModuleInfo()` reads an empty module", () => {
  const info = readModuleInfo(wasm());
  assert.deepEqual(info, { functions: new Map(), exports: [], imports: [] });
  assert.equal("memory" in info, false);
});

Deno.test("`readModuleInfo()` reads all four numeric types and v128/reference types", () => {
  const info = readModuleInfo(wasm(
    types(funcType([I32, I64, F32, F64], [F64]), funcType([V128, FUNCREF, EXTERNREF], [])),
    functions(0, 1),
    exports(exportOf("mix", 0, 0), exportOf("refs", 0, 1)),
    code(2),
  ));
  assert.deepEqual(
    info.functions,
    new Map([
      ["mix", { params: ["i32", "i64", "f32", "f64"], results: ["f64"] }],
      ["refs", { params: ["v128", "funcref", "externref"], results: [] }],
    ]),
  );
});

Deno.test("`readModuleInfo()` reads multi-value results", () => {
  const info = readModuleInfo(wasm(
    types(funcType([I32], [I32, I64, F32])),
    functions(0),
    exports(exportOf("divmod", 0, 0)),
    code(1),
  ));
  assert.deepEqual(info.functions.get("divmod"), {
    params: ["i32"],
    results: ["i32", "i64", "f32"],
  });
});

Deno.test("`readModuleInfo()` counts imported functions before defined ones", () => {
  const info = readModuleInfo(wasm(
    types(funcType([I32], []), funcType([I32, I32], [I32]), funcType([], [F64])),
    imports(importFunc("env", "log", 0), importFunc("env", "now", 2)),
    functions(1),
    // Index 2 is the first defined function; 0 and 1 are the imports.
    exports(exportOf("add", 0, 2), exportOf("log_again", 0, 0), exportOf("now", 0, 1)),
    code(1),
  ));
  assert.deepEqual(info.imports, [
    { module: "env", name: "log", kind: "function" },
    { module: "env", name: "now", kind: "function" },
  ]);
  assert.deepEqual(info.functions.get("add"), { params: ["i32", "i32"], results: ["i32"] });
  assert.deepEqual(info.functions.get("log_again"), { params: ["i32"], results: [] });
  assert.deepEqual(info.functions.get("now"), { params: [], results: ["f64"] });
});

Deno.test("`readModuleInfo()` reads a defined and exported memory", () => {
  const info = readModuleInfo(wasm(
    memories([0x01, ...leb(2), ...leb(300)]),
    exports(exportOf("memory", 2, 0)),
  ));
  assert.deepEqual(info.memory, {
    min: 2,
    max: 300,
    shared: false,
    memory64: false,
    exported: true,
    imported: false,
  });
  assert.deepEqual(info.exports, [{ name: "memory", kind: "memory" }]);
  assert.equal(info.functions.size, 0);
});

Deno.test("`readModuleInfo()` reads an imported memory, shared and memory64 flags", () => {
  const info = readModuleInfo(wasm(
    imports(
      [...name("env"), ...name("memory"), 0x02, 0x03, ...leb(1), ...leb(65536)],
      [...name("env"), ...name("big"), 0x02, 0x04, ...leb(2 ** 40)],
    ),
  ));
  assert.deepEqual(info.memory, {
    min: 1,
    max: 65536,
    shared: true,
    memory64: false,
    exported: false,
    imported: true,
  });
  assert.deepEqual(info.imports, [
    { module: "env", name: "memory", kind: "memory" },
    { module: "env", name: "big", kind: "memory" },
  ]);
});

Deno.test("`readModuleInfo()` lists exports of every kind in order", () => {
  const info = readModuleInfo(wasm(
    types(funcType([], [])),
    imports(
      [...name("env"), ...name("table"), 0x01, FUNCREF, 0x00, ...leb(1)],
      [...name("env"), ...name("g"), 0x03, I32, 0x01],
      [...name("env"), ...name("oops"), 0x04, 0x00, ...leb(0)],
    ),
    functions(0),
    exports(
      exportOf("table", 1, 0),
      exportOf("run", 0, 0),
      exportOf("g", 3, 0),
      exportOf("oops", 4, 0),
    ),
    code(1),
  ));
  assert.deepEqual(info.exports, [
    { name: "table", kind: "table" },
    { name: "run", kind: "function" },
    { name: "g", kind: "global" },
    { name: "oops", kind: "tag" },
  ]);
  assert.deepEqual([...info.functions.keys()], ["run"]);
  assert.deepEqual(info.imports.map((i) => i.kind), ["table", "global", "tag"]);
  assert.equal(info.memory, undefined);
});

Deno.test("`readModuleInfo()` skips custom sections and sections it does not read", () => {
  const info = readModuleInfo(wasm(
    section(0, [...name("name"), 0xff, 0xff, 0xff]),
    types(funcType([], [I32])),
    section(0, [...name("producers")]),
    functions(0),
    // A global section whose contents (a bogus init expr) must not be looked at.
    section(6, [...leb(1), 0xde, 0xad, 0xbe, 0xef]),
    exports(exportOf("answer", 0, 0)),
    // A body full of junk: the code section is skipped, not scanned.
    section(10, [...leb(1), 0xff, 0xff, 0xff, 0xff, 0xff]),
    section(0, [...name("trailing")]),
  ));
  assert.deepEqual(info.functions.get("answer"), { params: [], results: ["i32"] });
});

Deno.test("`readModuleInfo()` hands out frozen signatures shared by type", () => {
  const info = readModuleInfo(wasm(
    types(funcType([I32], [])),
    functions(0, 0),
    exports(exportOf("a", 0, 0), exportOf("b", 0, 1)),
    code(2),
  ));
  const a = info.functions.get("a")!;
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.params) && Object.isFrozen(a.results));
  assert.throws(() => a.params.push("f64"), TypeError);
  assert.deepEqual(info.functions.get("b"), { params: ["i32"], results: [] });
});

Deno.test("`readModuleInfo()` reads a subarray of a larger buffer", () => {
  const inner = wasm(types(funcType([], [])), functions(0), exports(exportOf("f", 0, 0)), code(1));
  const outer = new Uint8Array(inner.length + 10);
  outer.set(inner, 5);
  const info = readModuleInfo(outer.subarray(5, 5 + inner.length));
  assert.deepEqual([...info.functions.keys()], ["f"]);
});

Deno.test("`readModuleInfo()` rejects bad magic", () => {
  assertBadModule(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 0, 0, 0]), /bad magic/);
  assertBadModule(new Uint8Array([]), /bad magic/);
  assertBadModule(new Uint8Array([0x00, 0x61]), /bad magic/);
});

Deno.test("`readModuleInfo()` rejects a wrong version", () => {
  assertBadModule(
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0]),
    /unsupported wasm version 2/,
  );
  assertBadModule(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), /component/);
  assertBadModule(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0]), /truncated header/);
});

Deno.test("`readModuleInfo()` rejects a truncated section", () => {
  // The section's size is honest about the module, but too small for the type it holds.
  const body = vec([funcType([I32], [I32])]); // 1, 0x60, 1, i32, 1, i32
  assertBadModule(wasm(section(1, body.slice(0, 4))), /unexpected end of section 1 at byte 14/);
  // A count that promises more entries than the section holds.
  assertBadModule(wasm(section(1, body.slice(0, 3))), /parameter count 1 .* exceeds the 0 bytes/);
  // A name whose length runs past its section.
  assertBadModule(
    wasm(section(7, [1, 10, 0x61])),
    /name at byte \d+ runs past the end of section 7/,
  );
});

Deno.test("`readModuleInfo()` rejects a section whose length runs past the end", () => {
  const full = wasm(types(funcType([I32], [I32])));
  assertBadModule(full.subarray(0, full.length - 2), /section 1 runs past the end at byte 14/);
  assertBadModule(wasm([1, ...leb(1000), 0]), /section 1 runs past the end/);
});

Deno.test("`readModuleInfo()` rejects a truncated LEB128", () => {
  // The section size itself stops mid-number.
  assertBadModule(wasm([1, 0x80]), /truncated LEB128 at byte 9/);
  // A count inside a section stops mid-number at the section's end.
  assertBadModule(wasm(section(3, [0xff, 0xff])), /truncated LEB128 at byte 10/);
  // Too many continuation bytes for a u32.
  assertBadModule(wasm([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /LEB128/);
});

Deno.test("`readModuleInfo()` rejects an unknown value type", () => {
  assertBadModule(wasm(types([0x60, 1, 0x40, 0])), /unknown value type 0x40 at byte \d+/);
});

Deno.test("`readModuleInfo()` rejects GC-proposal type forms", () => {
  assertBadModule(wasm(types([0x4e, 1, ...funcType([], [])])), /unsupported type form 0x4e/);
  assertBadModule(wasm(types([0x50, 0, ...funcType([], [])])), /unsupported type form 0x50/);
  assertBadModule(wasm(types([0x5f, 0])), /unsupported type form 0x5f/);
});

Deno.test("`readModuleInfo()` rejects an absurdly large count", () => {
  assertBadModule(
    wasm(section(1, [...leb(0xffff_ffff)])),
    /type count 4294967295 at byte \d+ exceeds/,
  );
  assertBadModule(
    wasm(types([0x60, ...leb(1_000_000), I32, 0])),
    /parameter count 1000000 .* exceeds/,
  );
});

Deno.test("`readModuleInfo()` rejects a name that is not valid UTF-8", () => {
  assertBadModule(
    wasm(exports([...leb(2), 0xc3, 0x28, 2, ...leb(0)])),
    /name at byte \d+ is not valid UTF-8/,
  );
});

Deno.test("`readModuleInfo()` rejects a function index out of range", () => {
  const bytes = wasm(
    types(funcType([], [])),
    imports(importFunc("env", "f", 0)),
    functions(0),
    exports(exportOf("g", 0, 2)),
    code(1),
  );
  assertBadModule(bytes, /function index 2 out of range in export "g"/);
});

Deno.test("`readModuleInfo()` keeps a hostile export name on one line in its message", () => {
  const bytes = wasm(types(funcType([], [])), exports(exportOf("a\nb", 0, 0)));
  assertBadModule(bytes, /function index 0 out of range in export "a\\nb"/);
});

Deno.test("`readModuleInfo()` rejects a type index out of range", () => {
  assertBadModule(
    wasm(types(funcType([], [])), functions(1), code(1)),
    /type index 1 out of range/,
  );
});

Deno.test("`readModuleInfo()` rejects structural inconsistencies", () => {
  assertBadModule(wasm(types(), types()), /section 1 .* duplicated or out of order/);
  assertBadModule(wasm(functions(), types()), /section 1 .* duplicated or out of order/);
  assertBadModule(wasm(section(14, [])), /unknown section id 14/);
  assertBadModule(wasm(section(1, [0, 0])), /section 1 has 1 unread bytes/);
  assertBadModule(wasm(types(funcType([], [])), functions(0)), /code section has 0 bodies/);
  assertBadModule(
    wasm(
      types(funcType([], [])),
      functions(0, 0),
      exports(exportOf("a", 0, 0), exportOf("a", 0, 1)),
      code(2),
    ),
    /duplicate export name "a"/,
  );
  assertBadModule(wasm(exports(exportOf("x", 5, 0))), /unknown export kind 0x05/);
  assertBadModule(wasm(memories([0x08, 1])), /unsupported limits flags 0x08/);
  assertBadModule(wasm(imports([...name("a"), ...name("b"), 0x05])), /unknown import kind 0x05/);
});
