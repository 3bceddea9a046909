import { mibText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import { decodeU32, encodeU32 } from "./leb128.ts";
import { WASM_PAGE_BYTES } from "../limits.ts";

const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const HEADER_BYTES = 8;
const HAS_MAX = 0x01;
const CUSTOM_PAGE_SIZE = 0x08;
/** What one table slot costs the engine: a pointer. */
const TABLE_SLOT_BYTES = 8;
const TABLE_WITH_INIT = 0x40;

/** A memory's or table's limits, and where they sit in the section. */
interface Limits {
  kind: "memory" | "table";
  flags: number;
  min: number;
  max?: number;
  /** Byte range of the flags and limits within the section. */
  start: number;
  end: number;
  unitBytes: number;
}

/**
 * Rewrites the limits of the module's own memories (32- and 64-bit) and tables so that all of
 * them together can never hold more than `maxPages` 64 KiB pages: a `memory.grow` or
 * `table.grow` past the cap then fails inside wasm (-1) instead of taking the node's memory.
 * Their initial sizes are counted first; what is left of the cap is given, in order, to the
 * memories and then the tables that may grow (a table slot counts as 8 bytes). Initial sizes
 * over the cap are refused with `MEMORY_LIMIT`. Returns the input unchanged when nothing
 * needs capping.
 *
 * @example
 * ```ts
 * const capped = capMemory(bytes, 4096); // at most 256 MiB in all
 * ```
 */
export function capMemory(bytes: Uint8Array, maxPages: number, name = "module"): Uint8Array {
  const capBytes = maxPages * WASM_PAGE_BYTES;
  const found: {
    id: number;
    start: number;
    contentStart: number;
    contentEnd: number;
    limits: Limits[];
  }[] = [];
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, sizeBytes] = decodeU32(bytes, offset + 1);
    const contentStart = offset + 1 + sizeBytes;
    const contentEnd = contentStart + size;
    if (contentEnd > bytes.length) return bytes; // Malformed: the compiler will say why.
    const section = bytes.subarray(contentStart, contentEnd);
    if (id === SECTION_MEMORY) {
      found.push({
        id,
        start: offset,
        contentStart,
        contentEnd,
        limits: readMemories(section, name),
      });
    } else if (id === SECTION_TABLE) {
      found.push({
        id,
        start: offset,
        contentStart,
        contentEnd,
        limits: readTables(section, name),
      });
    }
    offset = contentEnd;
  }
  const all = found.flatMap((s) => s.limits);
  const initial = all.reduce((sum, l) => sum + l.min * l.unitBytes, 0);
  if (initial > capBytes) {
    throw new GvmError(
      "MEMORY_LIMIT",
      `${name} needs ${
        mibText(initial / WASM_PAGE_BYTES)
      } of memory at start (memories and tables), over the ${mibText(maxPages)} cap (--max-memory)`,
    );
  }
  let headroom = capBytes - initial;
  let changed = false;
  const newMax = new Map<Limits, number>();
  // Memories before tables: wasm programs grow their memory, rarely their tables.
  for (
    const limits of [...all].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "memory" ? -1 : 1))
  ) {
    const growth = Math.min(
      (limits.max ?? Infinity) - limits.min,
      Math.floor(headroom / limits.unitBytes),
    );
    headroom -= growth * limits.unitBytes;
    const max = limits.min + growth;
    if (max !== limits.max) changed = true;
    newMax.set(limits, max);
  }
  if (!changed) return bytes;

  const parts: Uint8Array[] = [];
  let copied = 0;
  for (const section of found) {
    const content: number[] = [];
    let at = section.contentStart;
    for (const limits of section.limits) {
      content.push(...bytes.subarray(at, section.contentStart + limits.start));
      content.push(
        limits.flags | HAS_MAX,
        ...encodeU64(limits.min),
        ...encodeU64(newMax.get(limits)!),
      );
      at = section.contentStart + limits.end;
    }
    content.push(...bytes.subarray(at, section.contentEnd));
    parts.push(bytes.subarray(copied, section.start));
    parts.push(new Uint8Array([section.id, ...encodeU32(content.length), ...content]));
    copied = section.contentEnd;
  }
  parts.push(bytes.subarray(copied));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function readMemories(section: Uint8Array, name: string): Limits[] {
  const [count, countBytes] = decodeU32(section, 0);
  let pos = countBytes;
  const out: Limits[] = [];
  for (let i = 0; i < count && pos < section.length; i++) {
    const limits = readLimits(section, pos, "memory", WASM_PAGE_BYTES, name);
    out.push(limits);
    pos = limits.end;
  }
  return out;
}

function readTables(section: Uint8Array, name: string): Limits[] {
  const [count, countBytes] = decodeU32(section, 0);
  let pos = countBytes;
  const out: Limits[] = [];
  for (let i = 0; i < count && pos < section.length; i++) {
    const withInit = section[pos] === TABLE_WITH_INIT;
    if (withInit) pos += 2; // 0x40 0x00
    pos = skipRefType(section, pos);
    const limits = readLimits(section, pos, "table", TABLE_SLOT_BYTES, name);
    out.push(limits);
    pos = limits.end;
    if (withInit) pos = skipConstExpr(section, pos, name);
  }
  return out;
}

function readLimits(
  section: Uint8Array,
  start: number,
  kind: Limits["kind"],
  unitBytes: number,
  name: string,
): Limits {
  const flags = section[start];
  if (flags & CUSTOM_PAGE_SIZE) {
    throw new GvmError("BAD_MODULE", `${name} declares a custom page size, which GVM does not run`);
  }
  let pos = start + 1;
  const [min, minBytes] = decodeU64(section, pos);
  pos += minBytes;
  let max: number | undefined;
  if (flags & HAS_MAX) {
    const [value, maxBytes] = decodeU64(section, pos);
    pos += maxBytes;
    max = value;
  }
  return { kind, flags, min, max, start, end: pos, unitBytes };
}

function skipRefType(section: Uint8Array, pos: number): number {
  const byte = section[pos];
  // (ref ht) and (ref null ht) carry a heap type; funcref, externref ... are one byte.
  if (byte === 0x63 || byte === 0x64) return pos + 1 + decodeU64(section, pos + 1)[1];
  return pos + 1;
}

// A table's initial-value expression: the constant instructions wasm allows there.
function skipConstExpr(section: Uint8Array, pos: number, name: string): number {
  while (pos < section.length) {
    const op = section[pos++];
    if (op === 0x0b) return pos; // end
    if (op === 0xd0 || op === 0xd2 || op === 0x23 || op === 0x41 || op === 0x42) {
      pos += decodeU64(section, pos)[1]; // ref.null ht, ref.func, global.get, i32/i64.const
    } else if (op === 0x44) pos += 8; // f64.const
    else if (op === 0x43) pos += 4; // f32.const
    else if (op === 0x6a || op === 0x6b || op === 0x6c || (op >= 0x7c && op <= 0x7e)) continue;
    else {
      throw new GvmError(
        "BAD_MODULE",
        `${name} initialises a table with an instruction GVM cannot check (0x${op.toString(16)})`,
      );
    }
  }
  return pos;
}

// LEB128 up to 64 bits, as a Number (exact to 2^53; larger sizes are over any cap anyway).
function decodeU64(bytes: Uint8Array, start: number): [number, number] {
  let result = 0;
  let pos = start;
  for (let shift = 0; pos < bytes.length && pos - start < 10; shift += 7) {
    const byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos - start];
  }
  return [Number.MAX_SAFE_INTEGER, pos - start];
}

function encodeU64(value: number): number[] {
  return encodeU32(value); // encodeU32 handles any safe integer.
}
