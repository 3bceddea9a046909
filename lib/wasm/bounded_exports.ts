import {
  ByteReader,
  codeBodies,
  readModule,
  startFunction,
  type WasmModule,
} from "./module_reader.ts";

/**
 * Most wasm instructions a call may run to be called bounded: with the host calls it may make
 * (each counted as {@linkcode HOST_CALL_STEPS}), well under a millisecond.
 */
const MAX_STEPS = 20_000;
/** What one call of a WASI function counts as, in instructions. */
const HOST_CALL_STEPS = 500;
/** WASI functions that return promptly whatever their arguments (no waiting, no files). */
const PROMPT_IMPORTS = new Set([
  "fd_write",
  "fd_fdstat_get",
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_time_get",
  "clock_res_get",
  "proc_exit",
]);

const UNBOUNDED = Infinity;

// Thrown when the prover meets anything it does not prove finishes: the answer is then "none".
class Unproven extends Error {}

/** A function body's straight-line size and the functions it calls directly. */
interface Body {
  steps: number;
  calls: number[];
}

/**
 * Names the exported functions that provably finish within a few thousand instructions: no
 * `loop`, no recursion, no indirect calls, exceptions, bulk memory, SIMD, atomics or GC
 * instructions, and only WASI functions that return at once. Such a call cannot hold the
 * thread, so it may run without the `node:vm` watchdog (which costs ~7 µs a call). Anything the
 * reader does not know leaves that function (and its callers) unproven.
 *
 * @example
 * ```ts
 * boundedExports(mathBytes); // Set { "add", "mul", "_start" }
 * ```
 */
export function boundedExports(module: Uint8Array | WasmModule): Set<string> {
  try {
    return prove(module instanceof Uint8Array ? readModule(module) : module);
  } catch {
    return new Set();
  }
}

function prove(module: WasmModule): Set<string> {
  // Memories and tables are not linked; per imported function, whether it returns promptly.
  if (module.imports.some((i) => i.kind !== "function")) throw new Unproven();
  const imports = module.imports.map((i) =>
    i.module === "wasi_snapshot_preview1" && PROMPT_IMPORTS.has(i.name)
  );
  const exports = new Map<string, number>();
  module.exports.forEach((e, i) => {
    if (e.kind === "function") exports.set(e.name, module.exportIndices[i]);
  });
  const bodies = codeBodies(module).map((range) => readBody(module.bytes, range));
  const start = startFunction(module);
  const steps = new Map<number, number>();
  const visiting = new Set<number>();
  const stepsOf = (index: number): number => {
    if (index < imports.length) return imports[index] ? HOST_CALL_STEPS : UNBOUNDED;
    const known = steps.get(index);
    if (known !== undefined) return known;
    const body = bodies[index - imports.length];
    if (!body || visiting.has(index)) return UNBOUNDED; // Recursion.
    visiting.add(index);
    let total = body.steps;
    for (const callee of body.calls) {
      total += stepsOf(callee);
      if (total > MAX_STEPS) break;
    }
    visiting.delete(index);
    steps.set(index, total);
    return total;
  };
  const bounded = new Set<string>();
  // A start function runs at every instantiation, `_initialize` before every export call.
  const init = exports.get("_initialize");
  if (start !== undefined && stepsOf(start) > MAX_STEPS) return bounded;
  if (init !== undefined && stepsOf(init) > MAX_STEPS) return bounded;
  for (const [name, index] of exports) {
    if (stepsOf(index) <= MAX_STEPS) bounded.add(name);
  }
  return bounded;
}

function readBody(bytes: Uint8Array, range: { start: number; end: number }): Body {
  const r = new ByteReader(bytes, range.start, range.end, "function body");
  const body: Body = { steps: 0, calls: [] };
  try {
    for (let groups = r.u32(); groups > 0; groups--) {
      r.u32(); // count
      valType(r);
    }
    while (r.remaining > 0) {
      body.steps++;
      instruction(r, body);
    }
  } catch {
    // Unproven, or an immediate running past the body: this function is not proven; the
    // others may still be.
    return { steps: UNBOUNDED, calls: [] };
  }
  return body;
}

function valType(r: ByteReader): void {
  const byte = r.byte();
  if (byte === 0x63 || byte === 0x64) r.skipLeb(); // (ref null? ht)
}

function blockType(r: ByteReader): void {
  const byte = r.peek();
  if (byte === 0x40 || (byte >= 0x6f && byte <= 0x7f)) r.skip(1);
  else r.skipLeb(); // a type index (s33)
}

// Skips one instruction and its immediates; anything not provably finite throws Unproven.
function instruction(r: ByteReader, body: Body): void {
  const op = r.byte();
  if (op >= 0x45 && op <= 0xc4) return; // Numeric instructions: no immediates.
  switch (op) {
    case 0x00: // unreachable
    case 0x01: // nop
    case 0x05: // else
    case 0x0b: // end
    case 0x0f: // return
    case 0x1a: // drop
    case 0x1b: // select
    case 0xd1: // ref.is_null
      return;
    case 0x02: // block
    case 0x04: // if
      return blockType(r);
    case 0x0c: // br (to a block's end: forward, as there are no loops)
    case 0x0d: // br_if
    case 0x20: // local.get
    case 0x21: // local.set
    case 0x22: // local.tee
    case 0x23: // global.get
    case 0x24: // global.set
    case 0x25: // table.get
    case 0x26: // table.set
    case 0x3f: // memory.size
    case 0x40: // memory.grow
    case 0xd2: // ref.func
      r.skipLeb();
      return;
    case 0x0e: { // br_table
      const count = r.u32();
      for (let i = 0; i <= count; i++) r.skipLeb();
      return;
    }
    case 0x10: // call
      body.calls.push(r.u32());
      return;
    case 0x41: // i32.const
    case 0x42: // i64.const
    case 0xd0: // ref.null
      r.skipLeb();
      return;
    case 0x43: // f32.const
      r.skip(4);
      return;
    case 0x44: // f64.const
      r.skip(8);
      return;
    case 0xfc: { // saturating truncations; the rest (bulk memory, tables) may run long
      const sub = r.u32();
      if (sub <= 7) return;
      if (sub === 9 || sub === 13 || sub === 16) { // data.drop, elem.drop, table.size
        r.skipLeb();
        return;
      }
      throw new Unproven();
    }
  }
  if (op >= 0x28 && op <= 0x3e) { // loads and stores: alignment (+ memory index), offset
    const align = r.u32();
    if (align & 0x40) r.skipLeb();
    r.skipLeb();
    return;
  }
  throw new Unproven(); // loop, indirect calls, exceptions, SIMD, atomics, GC ...
}
