import { decodeU32 } from "./leb128.ts";

const SECTION_TYPE = 1;
const FUNC_TYPE = 0x60;

/**
 * Whether the module declares any type beyond plain function types (wasm GC structs and arrays,
 * recursion groups, subtypes). Such a module can allocate on the engine's own heap with
 * `array.new`, which no memory or table limit caps: it must not run on the node's thread.
 * (The module reader refuses GC types today; this keeps the node's heap safe if it ever lets
 * them through.)
 *
 * @example
 * ```ts
 * usesGcTypes(bytes); // false for a C, Rust or WAT module without GC types
 * ```
 */
export function usesGcTypes(bytes: Uint8Array): boolean {
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, sizeBytes] = decodeU32(bytes, offset + 1);
    const contentStart = offset + 1 + sizeBytes;
    if (id === SECTION_TYPE) {
      const [count, countBytes] = decodeU32(bytes, contentStart);
      let pos = contentStart + countBytes;
      for (let i = 0; i < count; i++) {
        if (bytes[pos++] !== FUNC_TYPE) return true;
        for (let list = 0; list < 2; list++) { // params, then results
          const [types, typesBytes] = decodeU32(bytes, pos);
          pos += typesBytes;
          for (let t = 0; t < types; t++) {
            const type = bytes[pos++];
            if (type === 0x63 || type === 0x64) return true; // typed references: GC proposal
          }
        }
      }
      return false;
    }
    offset = contentStart + size;
  }
  return false;
}
