import { mibText } from "./limit_text.ts";
import { GvmError } from "../errors.ts";
import { decodeU32, encodeU32 } from "./leb128.ts";

const SECTION_MEMORY = 5;
const HEADER_BYTES = 8;
const HAS_MAX = 0x01;
const MEMORY64 = 0x04;

/**
 * Rewrites the module's own memories so none may grow past `maxPages` (64 KiB pages): a
 * `memory.grow` beyond the cap then fails inside wasm (-1) instead of taking the node's memory.
 * A memory whose minimum is already over the cap is refused with `MEMORY_LIMIT`.
 * Returns the input unchanged when nothing needs capping.
 *
 * @example
 * ```ts
 * const capped = capMemory(bytes, 4096); // at most 256 MiB per memory
 * ```
 */
export function capMemory(bytes: Uint8Array, maxPages: number, name = "module"): Uint8Array {
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, sizeBytes] = decodeU32(bytes, offset + 1);
    const contentStart = offset + 1 + sizeBytes;
    const contentEnd = contentStart + size;
    if (contentEnd > bytes.length) return bytes; // Malformed: the compiler will say why.
    if (id === SECTION_MEMORY) {
      const content = rewriteMemories(bytes.subarray(contentStart, contentEnd), maxPages, name);
      if (!content) return bytes;
      const header = [SECTION_MEMORY, ...encodeU32(content.length)];
      const out = new Uint8Array(
        offset + header.length + content.length + bytes.length - contentEnd,
      );
      out.set(bytes.subarray(0, offset), 0);
      out.set(header, offset);
      out.set(content, offset + header.length);
      out.set(bytes.subarray(contentEnd), offset + header.length + content.length);
      return out;
    }
    offset = contentEnd;
  }
  return bytes;
}

function rewriteMemories(section: Uint8Array, maxPages: number, name: string): Uint8Array | null {
  let pos = 0;
  const [count, countBytes] = decodeU32(section, pos);
  pos += countBytes;
  const out: number[] = [...encodeU32(count)];
  let changed = false;
  for (let i = 0; i < count; i++) {
    const flags = section[pos++];
    if (flags & MEMORY64) return null; // 64-bit memories keep their own limits.
    const [min, minBytes] = decodeU32(section, pos);
    pos += minBytes;
    let max: number | undefined;
    if (flags & HAS_MAX) {
      const [value, maxBytes] = decodeU32(section, pos);
      pos += maxBytes;
      max = value;
    }
    if (min > maxPages) {
      throw new GvmError(
        "MEMORY_LIMIT",
        `${name} needs ${mibText(min)} of memory at start, over the ${
          mibText(maxPages)
        } cap (--max-memory)`,
      );
    }
    const capped = Math.min(max ?? Infinity, maxPages);
    if (capped !== max) changed = true;
    out.push(flags | HAS_MAX, ...encodeU32(min), ...encodeU32(capped));
  }
  return changed ? new Uint8Array(out) : null;
}
