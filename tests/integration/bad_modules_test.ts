// Broken modules: a corpus built byte by byte in the test (no wasm tools needed), dropped into a
// temp modules folder. Each bad module gives exactly one `error: CODE: ...` line, locally and
// across the network, and the node goes on to run a good module afterwards.
import assert from "node:assert/strict";
import { GvmError, GvmNode } from "../../mod.ts";
import { runCommands, tempHome, TestGpmd, TestNode, withoutStartup } from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";
import { encodeU32 } from "../../lib/wasm/module_reader.ts";

// ---- A tiny wasm binary builder --------------------------------------------------------------

const I32 = 0x7f;
const OP = {
  unreachable: 0x00,
  end: 0x0b,
  call: 0x10,
  localGet: 0x20,
  i32Const: 0x41,
  i32Add: 0x6a,
} as const;

/** Signed LEB128 (for i32.const). */
function sleb(value: number): number[] {
  const out: number[] = [];
  while (true) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...encodeU32(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...encodeU32(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...encodeU32(content.length), ...content];
}

interface ModuleSpec {
  /** Function types: params and results, all i32. */
  types?: { params: number; results: number }[];
  /** Imported functions (module, name, type index); they take the first function indices. */
  imports?: { module: string; name: string; type: number }[];
  /** Defined functions: type index and body (locals none, `end` added). */
  funcs?: { type: number; body: number[] }[];
  memory?: { min: number; max?: number };
  exports?: { name: string; func?: number; memory?: number }[];
  /** Index of the function the `start` section runs at instantiation. */
  start?: number;
}

/** Encodes a module from `spec`, sections in the order the binary format requires. */
function wasm(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (spec.types) {
    bytes.push(...section(
      1,
      vec(spec.types.map((t) => [
        0x60,
        ...vec(Array.from({ length: t.params }, () => [I32])),
        ...vec(Array.from({ length: t.results }, () => [I32])),
      ])),
    ));
  }
  if (spec.imports) {
    bytes.push(...section(
      2,
      vec(
        spec.imports.map((i) => [...name(i.module), ...name(i.name), 0x00, ...encodeU32(i.type)]),
      ),
    ));
  }
  if (spec.funcs) bytes.push(...section(3, vec(spec.funcs.map((f) => encodeU32(f.type)))));
  if (spec.memory) {
    const { min, max } = spec.memory;
    const limits = max === undefined
      ? [0x00, ...encodeU32(min)]
      : [0x01, ...encodeU32(min), ...encodeU32(max)];
    bytes.push(...section(5, vec([limits])));
  }
  if (spec.exports) {
    bytes.push(...section(
      7,
      vec(
        spec.exports.map((e) =>
          e.func !== undefined ? [...name(e.name), 0x00, ...encodeU32(e.func)] : [
            ...name(e.name),
            0x02,
            ...encodeU32(e.memory!),
          ]
        ),
      ),
    ));
  }
  if (spec.start !== undefined) bytes.push(...section(8, encodeU32(spec.start)));
  if (spec.funcs) {
    bytes.push(...section(
      10,
      vec(spec.funcs.map((f) => {
        const body = [0x00, ...f.body, OP.end]; // No locals.
        return [...encodeU32(body.length), ...body];
      })),
    ));
  }
  return new Uint8Array(bytes);
}

// Type 0: () -> (); type 1: () -> i32; type 2: (i32, i32) -> i32.
const TYPES = [{ params: 0, results: 0 }, { params: 0, results: 1 }, { params: 2, results: 1 }];

const GOOD = wasm({
  types: TYPES,
  funcs: [
    { type: 1, body: [OP.i32Const, ...sleb(42)] },
    { type: 2, body: [OP.localGet, 0, OP.localGet, 1, OP.i32Add] },
  ],
  memory: { min: 1 },
  exports: [{ name: "answer", func: 0 }, { name: "add", func: 1 }, { name: "memory", memory: 0 }],
});

/** A module whose only export `ok` returns 1, with the given memory. */
function withMemory(memory: { min: number; max?: number }): Uint8Array<ArrayBuffer> {
  return wasm({
    types: TYPES,
    funcs: [{ type: 1, body: [OP.i32Const, 1] }],
    memory,
    exports: [{ name: "ok", func: 0 }, { name: "memory", memory: 0 }],
  });
}

interface BadModule {
  file: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** The prompt line that runs it. */
  command: string;
  code: "BAD_MODULE" | "MEMORY_LIMIT" | "TRAP";
  /** What the one error line must say. */
  message: RegExp;
}

const CORPUS: BadModule[] = [
  {
    file: "garbage",
    bytes: new TextEncoder().encode("this is not a wasm module at all\n"),
    command: "garbage",
    code: "BAD_MODULE",
    message: /garbage\.wasm/,
  },
  {
    file: "empty",
    bytes: new Uint8Array(0),
    command: "empty",
    code: "BAD_MODULE",
    message: /empty\.wasm/,
  },
  // Cut inside the magic number, the version, the type section and the code section.
  ...[2, 6, 11, GOOD.length - 2].map((offset): BadModule => ({
    file: `cut${offset}`,
    bytes: GOOD.slice(0, offset),
    command: `cut${offset}.answer()`,
    code: "BAD_MODULE",
    message: new RegExp(`cut${offset}\\.wasm`),
  })),
  {
    file: "countbomb",
    // A type section claiming 2^32-1 entries in five bytes.
    bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    command: "countbomb",
    code: "BAD_MODULE",
    message: /countbomb\.wasm/,
  },
  {
    file: "hugemem",
    bytes: withMemory({ min: 60_000 }),
    command: "hugemem.ok()",
    code: "MEMORY_LIMIT",
    message: /hugemem needs 3750 MiB of memory at start/,
  },
  {
    file: "maxbelowmin",
    bytes: withMemory({ min: 2, max: 1 }),
    command: "maxbelowmin.ok()",
    code: "BAD_MODULE",
    message: /maxbelowmin\.wasm/,
  },
  {
    file: "unknownimport",
    bytes: wasm({
      types: TYPES,
      imports: [{ module: "env", name: "launch_missiles", type: 0 }],
      funcs: [{ type: 0, body: [OP.call, 0] }],
      exports: [{ name: "main", func: 1 }],
    }),
    command: "unknownimport.main()",
    code: "BAD_MODULE",
    message: /unknownimport/,
  },
  {
    file: "unknownwasi",
    bytes: wasm({
      types: TYPES,
      imports: [{ module: "wasi_snapshot_preview1", name: "launch_missiles", type: 0 }],
      funcs: [{ type: 0, body: [OP.call, 0] }],
      exports: [{ name: "main", func: 1 }],
    }),
    command: "unknownwasi.main()",
    code: "BAD_MODULE",
    message: /unknownwasi.*wasi_snapshot_preview1.*launch_missiles/,
  },
  {
    file: "trapmain",
    bytes: wasm({
      types: TYPES,
      funcs: [{ type: 0, body: [OP.unreachable] }],
      memory: { min: 1 },
      exports: [{ name: "_start", func: 0 }, { name: "memory", memory: 0 }],
    }),
    command: "trapmain",
    code: "TRAP",
    message: /trapmain trapped: unreachable/,
  },
  {
    file: "trapstartsection",
    bytes: wasm({
      types: TYPES,
      funcs: [{ type: 0, body: [OP.unreachable] }, { type: 1, body: [OP.i32Const, 1] }],
      exports: [{ name: "ok", func: 1 }],
      start: 0,
    }),
    command: "trapstartsection.ok()",
    code: "TRAP",
    message: /trapstartsection.*unreachable/,
  },
  {
    file: "recurse",
    bytes: wasm({
      types: TYPES,
      funcs: [{ type: 1, body: [OP.call, 0, OP.i32Const, 1, OP.i32Add] }],
      exports: [{ name: "down", func: 0 }],
    }),
    command: "recurse.down()",
    code: "TRAP",
    message: /recurse\.down .*(stack|recursion)/i,
  },
];

async function corpusFolder(home: string): Promise<string> {
  const dir = `${home}/corpus`;
  await Deno.mkdir(dir);
  await Deno.writeFile(`${dir}/good.wasm`, GOOD);
  for (const bad of CORPUS) await Deno.writeFile(`${dir}/${bad.file}.wasm`, bad.bytes);
  return dir;
}

Deno.test("the byte builder makes a good module that validates, and a corpus that does not run", () => {
  assert.ok(WebAssembly.validate(GOOD));
  assert.ok(WebAssembly.validate(withMemory({ min: 60_000 })), "hugemem is valid, only too big");
  assert.ok(!WebAssembly.validate(withMemory({ min: 2, max: 1 })));
  for (const bad of CORPUS.filter((b) => b.file.startsWith("cut"))) {
    assert.ok(!WebAssembly.validate(bad.bytes), bad.file);
  }
});

Deno.test("each broken module gives one error line with its code, and the node goes on", async () => {
  await using home = await tempHome();
  const folder = await corpusFolder(home.path);
  await using gpmd = await TestGpmd.start(home.path);
  // Each bad module twice (a failure is not cached as something else), then the good one.
  const commands = [...CORPUS, ...CORPUS].map((bad) => bad.command);
  const result = await runCommands(home.path, gpmd, [
    "good.answer()",
    ...commands,
    "good.answer()",
    "good.add(40,2)",
  ], folder);
  assert.equal(result.code, 1, "a failed command makes the exit status non-zero");
  const lines = withoutStartup(result.stderr).trimEnd().split("\n");
  assert.equal(lines.length, commands.length, result.stderr);
  [...CORPUS, ...CORPUS].forEach((bad, i) => {
    assert.match(lines[i], new RegExp(`^error: ${bad.code}: `), `${bad.command}: ${lines[i]}`);
    assert.match(lines[i], bad.message, `${bad.command}: ${lines[i]}`);
  });
  assert.doesNotMatch(result.stderr, /\bat .*\.(ts|js):\d+/, "no stack traces");
  assert.match(result.stdout, /(?:^|\n)42\n42\n42\n$/);
});

Deno.test("a peer asked to run broken modules answers each with its code and keeps serving", async () => {
  await using home = await tempHome();
  const folder = await corpusFolder(home.path);
  const empty = `${home.path}/empty`;
  await Deno.mkdir(empty);
  await using gpmd = await TestGpmd.start(home.path);
  await using server = await TestNode.start(home.path, gpmd.address, { modules: folder });
  await using caller = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port: gpmd.port },
    cookie: (await Deno.readTextFile(`${home.path}/cookie`)).trim(),
    modulesDir: empty,
    workers: 1,
  });
  await caller.connect(server.name);
  for (const bad of CORPUS) {
    const [module, fn] = bad.command.replace(/\(\)$/, "").split(".");
    const failure = await caller.run(server.name, { module, fn, args: [] }).result.then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof GvmError, `${bad.command}: ${failure}`);
    assert.equal(failure.code, bad.code, `${bad.command}: ${failure.message}`);
    assert.match(failure.message, bad.message);
  }
  const { values } = await caller.run(server.name, { module: "good", fn: "answer", args: [] })
    .result;
  assert.deepEqual(values, [42]);
  // The serving node's own prompt is fine too.
  assert.equal(await server.command("good.add(2,3)", "\n"), "5\n");
});

Deno.test("an import the VM does not provide is named in the error", async () => {
  await using home = await tempHome();
  const folder = await corpusFolder(home.path);
  await using gpmd = await startInProcessGpmd(home.path, "bad-modules");
  await using node = await startInProcessNode(gpmd, folder, { workers: 1 });
  for (
    const [module, from] of [["unknownimport", "env"], ["unknownwasi", "wasi_snapshot_preview1"]]
  ) {
    const failure = await node.call({ module, fn: "main", args: [] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof GvmError, String(failure));
    assert.equal(failure.code, "BAD_MODULE");
    // Which import is missing is what the user needs to know to fix the module.
    assert.match(failure.message, new RegExp(`${from}.*launch_missiles`), failure.message);
  }
});
