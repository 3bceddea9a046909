import {
  ByteReader,
  SECTION,
  type SectionRange,
  sectionReader,
  walkSections,
  type WasmModule,
} from "./module_reader.ts";

const FUNC_TYPE = 0x60;

/**
 * Whether the module declares any type beyond plain function types (wasm GC structs and arrays,
 * recursion groups, subtypes). Such a module can allocate on the engine's own heap with
 * `array.new`, which no memory or table limit caps: it must not run on the node's thread.
 * (The module reader refuses GC types today; this keeps the node's heap safe if it ever lets
 * them through.) Takes the bytes, or the module as {@linkcode readModule} read them; bytes the
 * section walker refuses have no GC types to speak of.
 *
 * @example
 * ```ts
 * usesGcTypes(bytes); // false for a C, Rust or WAT module without GC types
 * ```
 */
export function usesGcTypes(module: Uint8Array | WasmModule): boolean {
  let bytes: Uint8Array;
  let sections: SectionRange[];
  if (module instanceof Uint8Array) {
    bytes = module;
    try {
      sections = walkSections(bytes);
    } catch {
      return false;
    }
  } else {
    ({ bytes, sections } = module);
  }
  const types = sections.find((s) => s.id === SECTION.type);
  if (!types) return false;
  try {
    return hasGcTypes(sectionReader(bytes, types));
  } catch {
    return false; // A type section cut short: the compiler refuses the module.
  }
}

function hasGcTypes(r: ByteReader): boolean {
  for (let n = r.u32(); n > 0; n--) {
    if (r.byte() !== FUNC_TYPE) return true;
    for (let list = 0; list < 2; list++) { // params, then results
      for (let t = r.u32(); t > 0; t--) {
        const type = r.byte();
        if (type === 0x63 || type === 0x64) return true; // typed references: GC proposal
      }
    }
  }
  return false;
}
