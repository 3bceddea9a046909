import { decodeU32 } from "./leb128.ts";

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

const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_CODE = 10;
const KIND_FUNCTION = 0;
const UNBOUNDED = Infinity;

// Thrown when the reader meets anything it does not prove finishes: the answer is then "none".
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
export function boundedExports(bytes: Uint8Array): Set<string> {
  try {
    return prove(bytes);
  } catch {
    return new Set();
  }
}

function prove(bytes: Uint8Array): Set<string> {
  const imports: boolean[] = []; // Per imported function: whether it returns promptly.
  const exports = new Map<string, number>();
  const bodies: Body[] = [];
  let start: number | undefined;
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, sizeBytes] = decodeU32(bytes, offset + 1);
    const r = new Reader(bytes, offset + 1 + sizeBytes, offset + 1 + sizeBytes + size);
    if (r.end > bytes.length) throw new Unproven();
    if (id === SECTION_IMPORT) readImports(r, imports);
    else if (id === SECTION_EXPORT) readExports(r, exports);
    else if (id === SECTION_START) start = r.u32();
    else if (id === SECTION_CODE) {
      const count = r.u32();
      for (let i = 0; i < count; i++) bodies.push(readBody(r));
    } else if (id === SECTION_FUNCTION) r.pos = r.end; // Counts only; the code section has them.
    offset = r.end;
  }
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

function readImports(r: Reader, imports: boolean[]): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const kind = r.byte();
    if (kind !== KIND_FUNCTION) throw new Unproven(); // Memories and tables are not linked.
    r.u32(); // type index
    imports.push(module === "wasi_snapshot_preview1" && PROMPT_IMPORTS.has(name));
  }
}

function readExports(r: Reader, exports: Map<string, number>): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const kind = r.byte();
    const index = r.u32();
    if (kind === KIND_FUNCTION) exports.set(name, index);
  }
}

function readBody(r: Reader): Body {
  const size = r.u32();
  const end = r.pos + size;
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.u32(); // count
    valType(r);
  }
  const body: Body = { steps: 0, calls: [] };
  try {
    while (r.pos < end) {
      body.steps++;
      instruction(r, body);
    }
    if (r.pos !== end) throw new Unproven();
  } catch (error) {
    if (!(error instanceof Unproven)) throw error;
    // This function is not proven; the others may still be.
    r.pos = end;
    return { steps: UNBOUNDED, calls: [] };
  }
  return body;
}

function valType(r: Reader): void {
  const byte = r.byte();
  if (byte === 0x63 || byte === 0x64) r.leb(); // (ref null? ht)
}

function blockType(r: Reader): void {
  const byte = r.bytes[r.pos];
  if (byte === 0x40 || (byte >= 0x6f && byte <= 0x7f)) r.pos++;
  else r.leb(); // a type index (s33)
}

// Skips one instruction and its immediates; anything not provably finite throws Unproven.
function instruction(r: Reader, body: Body): void {
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
      r.leb();
      return;
    case 0x0e: { // br_table
      const count = r.u32();
      for (let i = 0; i <= count; i++) r.leb();
      return;
    }
    case 0x10: // call
      body.calls.push(r.u32());
      return;
    case 0x41: // i32.const
    case 0x42: // i64.const
    case 0xd0: // ref.null
      r.leb();
      return;
    case 0x43: // f32.const
      r.pos += 4;
      return;
    case 0x44: // f64.const
      r.pos += 8;
      return;
    case 0xfc: { // saturating truncations; the rest (bulk memory, tables) may run long
      const sub = r.u32();
      if (sub <= 7) return;
      if (sub === 9 || sub === 13 || sub === 16) { // data.drop, elem.drop, table.size
        r.leb();
        return;
      }
      throw new Unproven();
    }
  }
  if (op >= 0x28 && op <= 0x3e) { // loads and stores: alignment (+ memory index), offset
    const align = r.u32();
    if (align & 0x40) r.leb();
    r.leb();
    return;
  }
  throw new Unproven(); // loop, indirect calls, exceptions, SIMD, atomics, GC ...
}

class Reader {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number) {}

  byte(): number {
    if (this.pos >= this.end) throw new Unproven();
    return this.bytes[this.pos++];
  }

  u32(): number {
    const [value, length] = decodeU32(this.bytes, this.pos);
    this.pos += length;
    if (this.pos > this.end || value === Number.MAX_SAFE_INTEGER) throw new Unproven();
    return value;
  }

  // Any LEB128 (signed or not, up to 64 bits), skipped.
  leb(): void {
    for (let i = 0; i < 10; i++) {
      if ((this.byte() & 0x80) === 0) return;
    }
    throw new Unproven();
  }

  name(): string {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
}
