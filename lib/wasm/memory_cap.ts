import { mibText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import { WASM_PAGE_BYTES } from "../limits.ts";
import {
  definedTables,
  encodeU32,
  LIMITS,
  MalformedModule,
  readModule,
  SECTION,
  type SectionRange,
  type TableEntry,
  type WasmModule,
  withNewLimits,
} from "./module_reader.ts";

/** What one table slot costs the engine: a pointer. */
const TABLE_SLOT_BYTES = 8;

/** A memory's or table's limits, and where they sit in the module. */
interface Limits {
  kind: "memory" | "table";
  flags: number;
  min: number;
  max?: number;
  /** Byte range of the flags and limits within the module. */
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
 * over the cap are refused with `MEMORY_LIMIT`. Returns the input bytes unchanged when nothing
 * needs capping. Takes the bytes, or the module as {@linkcode readModule} read them.
 *
 * @example
 * ```ts
 * const capped = capMemory(bytes, 4096); // at most 256 MiB in all
 * ```
 */
export function capMemory(
  module: Uint8Array | WasmModule,
  maxPages: number,
  name = "module",
): Uint8Array {
  return capModule(module instanceof Uint8Array ? readModule(module) : module, maxPages, name)
    .bytes;
}

/**
 * {@linkcode capMemory} on a module already read, giving the capped module as the reader would
 * read it (the same object when nothing needed capping), so nothing reads it a second time.
 *
 * @example
 * ```ts
 * const runnable = capModule(readModule(bytes), 4096, "math"); // runnable.bytes to compile
 * ```
 */
export function capModule(read: WasmModule, maxPages: number, name = "module"): WasmModule {
  const bytes = read.bytes;
  const capBytes = maxPages * WASM_PAGE_BYTES;
  let tables: TableEntry[];
  try {
    tables = definedTables(read, name);
  } catch (error) {
    // A table section the reader cannot follow: the compiler will say why.
    if (error instanceof MalformedModule) return read;
    throw error;
  }
  const memories = read.memoryRanges.map((range, i): Limits => {
    const limits = read.memories[read.importedMemories + i];
    return {
      kind: "memory",
      flags: bytes[range.start],
      ...limits,
      ...range,
      unitBytes: WASM_PAGE_BYTES,
    };
  });
  const all = [
    ...memories,
    ...tables.map((t): Limits => ({ kind: "table", ...t, unitBytes: TABLE_SLOT_BYTES })),
  ];
  const initial = all.reduce((sum, l) => sum + l.min * l.unitBytes, 0);
  if (initial > capBytes) {
    throw new GvmError(
      "MEMORY_LIMIT",
      `${name} needs ${
        mibText(initial / WASM_PAGE_BYTES)
      } of memory at start (memories and tables), over the ${mibText(maxPages)} cap (--max-memory)`,
    );
  }
  // Memories before tables: wasm programs grow their memory, rarely their tables.
  let headroom = capBytes - initial;
  let changed = false;
  const newMax = new Map<Limits, number>();
  for (const limits of all) {
    const growth = Math.min(
      (limits.max ?? Infinity) - limits.min,
      Math.floor(headroom / limits.unitBytes),
    );
    headroom -= growth * limits.unitBytes;
    const max = limits.min + growth;
    if (max !== limits.max) changed = true;
    newMax.set(limits, max);
  }
  if (!changed) return read;

  const rewritten = [SECTION.table, SECTION.memory]
    .map((id) => read.sections.find((s) => s.id === id))
    .filter((s): s is SectionRange => s !== undefined);
  const parts: Uint8Array[] = [];
  let copied = 0;
  for (const section of rewritten) {
    const content: number[] = [];
    let at = section.contentStart;
    for (const limits of all) {
      if (limits.start < section.contentStart || limits.end > section.end) continue;
      content.push(...bytes.subarray(at, limits.start));
      content.push(
        limits.flags | LIMITS.hasMax,
        ...encodeU32(limits.min),
        ...encodeU32(newMax.get(limits)!),
      );
      at = limits.end;
    }
    content.push(...bytes.subarray(at, section.end));
    parts.push(bytes.subarray(copied, section.start));
    parts.push(new Uint8Array([section.id, ...encodeU32(content.length), ...content]));
    copied = section.end;
  }
  parts.push(bytes.subarray(copied));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return withNewLimits(read, out);
}
