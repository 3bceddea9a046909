import {
  encodeU32,
  KIND,
  LIMITS,
  readModule,
  SECTION,
  sectionReader,
  type WasmModule,
} from "./module_reader.ts";

const encoder = new TextEncoder();

/** Where the rewritten module expects its memory: `(import "gvm" "memory" ...)`. */
export const POOLED_MEMORY_IMPORT = { module: "gvm", name: "memory" } as const;

/** A module whose one memory is imported, so instances can share pooled memories. */
export interface PooledMemoryModule {
  /** The rewritten module. */
  bytes: Uint8Array;
  /** The memory's limits in 64 KiB pages, exactly as the module declared (and capped) them. */
  initial: number;
  /** See `initial`. */
  maximum: number;
}

/**
 * Rewrites a module that defines exactly one plain 32-bit memory (with a maximum, as
 * `capMemory` leaves it) so that the memory is imported instead. Instantiating a module that
 * defines its memory reserves a fresh address range each time (about 10 µs, and V8 runs a full
 * GC whenever the reservations pile up); an imported memory can be zeroed and reused. Returns
 * null when the module does not fit that shape (or is not a module); the memory index stays 0
 * either way. Takes the bytes, or the module as {@linkcode readModule} read them.
 *
 * @example
 * ```ts
 * const pooled = importMemory(runnable); // { bytes, initial: 1, maximum: 4096 } or null
 * ```
 */
export function importMemory(module: Uint8Array | WasmModule): PooledMemoryModule | null {
  let read: WasmModule;
  try {
    read = module instanceof Uint8Array ? readModule(module) : module;
  } catch {
    return null;
  }
  const bytes = read.bytes;
  const memory = read.sections.find((s) => s.id === SECTION.memory);
  // One defined memory, none imported; a table, global or tag import is too rare to be worth
  // handling: no pooling.
  if (!memory || read.memories.length !== 1 || read.importedMemories !== 0) return null;
  if (read.imports.some((i) => i.kind !== "function")) return null;
  const limits = read.memories[0];
  if (bytes[read.memoryRanges[0].start] !== LIMITS.hasMax) return null; // Shared, 64-bit, no max.
  const initial = limits.min;
  const maximum = limits.max!;

  const entry = [
    ...name(POOLED_MEMORY_IMPORT.module),
    ...name(POOLED_MEMORY_IMPORT.name),
    KIND.memory,
    LIMITS.hasMax,
    ...encodeU32(initial),
    ...encodeU32(maximum),
  ];
  const imports = read.sections.find((s) => s.id === SECTION.import);
  let content: number[];
  if (imports) {
    const r = sectionReader(bytes, imports);
    const count = r.u32();
    content = [...encodeU32(count + 1), ...bytes.subarray(r.pos, imports.end), ...entry];
  } else {
    content = [...encodeU32(1), ...entry];
  }
  const importSection = [SECTION.import, ...encodeU32(content.length), ...content];
  // The import section goes where the old one was, else before the first section after it.
  const insertAt = imports?.start ??
    read.sections.find((s) => s.id !== SECTION.custom && s.id > SECTION.import)?.start ??
    bytes.length;
  const skip = imports ? imports.end : insertAt;
  const out = new Uint8Array(
    bytes.length - (skip - insertAt) + importSection.length - (memory.end - memory.start),
  );
  let at = 0;
  const copy = (from: number, to: number) => {
    out.set(bytes.subarray(from, to), at);
    at += to - from;
  };
  copy(0, insertAt);
  out.set(importSection, at);
  at += importSection.length;
  copy(skip, memory.start);
  copy(memory.end, bytes.length);
  return { bytes: out, initial, maximum };
}

function name(text: string): number[] {
  const utf8 = encoder.encode(text);
  return [...encodeU32(utf8.length), ...utf8];
}
