import { decodeU32, encodeU32 } from "./leb128.ts";

const HEADER_BYTES = 8;
const SECTION_CUSTOM = 0;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const KIND_MEMORY = 0x02;
const HAS_MAX = 0x01;
const encoder = new TextEncoder();

/** Where the rewritten module expects its memory: `(import "gvm" "memory" ...)`. */
export const POOLED_MEMORY_IMPORT = { module: "gvm", name: "memory" } as const;

/** A module whose one memory is imported, so instances can share pooled memories. */
export interface PooledMemoryModule {
  bytes: Uint8Array;
  /** The memory's limits in 64 KiB pages, exactly as the module declared (and capped) them. */
  initial: number;
  maximum: number;
}

interface Section {
  id: number;
  start: number;
  contentStart: number;
  end: number;
}

function sections(bytes: Uint8Array): Section[] | null {
  const out: Section[] = [];
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    const [size, sizeBytes] = decodeU32(bytes, offset + 1);
    const contentStart = offset + 1 + sizeBytes;
    const end = contentStart + size;
    if (end > bytes.length) return null;
    out.push({ id: bytes[offset], start: offset, contentStart, end });
    offset = end;
  }
  return out;
}

// Whether the import section already brings in a memory (then index 0 is taken).
function importsMemory(bytes: Uint8Array, section: Section): boolean {
  let pos = section.contentStart;
  const [count, n] = decodeU32(bytes, pos);
  pos += n;
  for (let i = 0; i < count && pos < section.end; i++) {
    for (let name = 0; name < 2; name++) {
      const [length, lengthBytes] = decodeU32(bytes, pos);
      pos += lengthBytes + length;
    }
    const kind = bytes[pos++];
    if (kind === KIND_MEMORY) return true;
    if (kind === 0x00) pos += decodeU32(bytes, pos)[1]; // function: type index
    else return true; // A table, global or tag import: too rare to be worth parsing; no pooling.
  }
  return false;
}

/**
 * Rewrites a module that defines exactly one plain 32-bit memory (with a maximum, as
 * `capMemory` leaves it) so that the memory is imported instead. Instantiating a module that
 * defines its memory reserves a fresh address range each time (about 10 µs, and V8 runs a full
 * GC whenever the reservations pile up); an imported memory can be zeroed and reused. Returns
 * null when the module does not fit that shape; the memory index stays 0 either way.
 *
 * @example
 * ```ts
 * const pooled = importMemory(runnable); // { bytes, initial: 1, maximum: 4096 } or null
 * ```
 */
export function importMemory(bytes: Uint8Array): PooledMemoryModule | null {
  const all = sections(bytes);
  if (!all) return null;
  const memory = all.find((s) => s.id === SECTION_MEMORY);
  if (!memory) return null;
  let pos = memory.contentStart;
  const [count, countBytes] = decodeU32(bytes, pos);
  pos += countBytes;
  if (count !== 1 || bytes[pos] !== HAS_MAX) return null; // Shared, 64-bit or no maximum.
  const [initial, initialBytes] = decodeU32(bytes, pos + 1);
  const [maximum, maximumBytes] = decodeU32(bytes, pos + 1 + initialBytes);
  if (pos + 1 + initialBytes + maximumBytes !== memory.end) return null;
  const imports = all.find((s) => s.id === SECTION_IMPORT);
  if (imports && importsMemory(bytes, imports)) return null;

  const entry = [
    ...name(POOLED_MEMORY_IMPORT.module),
    ...name(POOLED_MEMORY_IMPORT.name),
    KIND_MEMORY,
    HAS_MAX,
    ...encodeU32(initial),
    ...encodeU32(maximum),
  ];
  let importSection: number[];
  if (imports) {
    const [importCount, importCountBytes] = decodeU32(bytes, imports.contentStart);
    const rest = bytes.subarray(imports.contentStart + importCountBytes, imports.end);
    const content = [...encodeU32(importCount + 1), ...rest, ...entry];
    importSection = [SECTION_IMPORT, ...encodeU32(content.length), ...content];
  } else {
    const content = [...encodeU32(1), ...entry];
    importSection = [SECTION_IMPORT, ...encodeU32(content.length), ...content];
  }
  // The import section goes where the old one was, else before the first section after it.
  const insertAt = imports?.start ??
    all.find((s) => s.id !== SECTION_CUSTOM && s.id > SECTION_IMPORT)?.start ?? bytes.length;
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
