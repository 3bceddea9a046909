// Small modules spelled out byte by byte, so engine tests need neither wasm tools nor file reads.
import { encodeU32 } from "../../lib/wasm/module_reader.ts";
import { moduleInfo } from "../../lib/wasm/signatures.ts";
import { readModule } from "../../lib/wasm/module_reader.ts";
import { capMemory } from "../../lib/wasm/memory_cap.ts";
import type { LoadedModule } from "../../lib/wasm/catalog.ts";

export const I32 = 0x7f;

/** A vector: its length, then its items. */
export const vec = (items: number[][]) => [...encodeU32(items.length), ...items.flat()];

/** A UTF-8 name with its length. */
export function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...encodeU32(bytes.length), ...bytes];
}

/** A section: id, size, content. */
export const section = (id: number, content: number[]) => [
  id,
  ...encodeU32(content.length),
  ...content,
];

/** A function body with no locals: `code`, then `end`. */
export function body(...code: number[]): number[] {
  const content = [0, ...code, 0x0b];
  return [...encodeU32(content.length), ...content];
}

/**
 * `base` (a whole module) and a custom section "pad" after it, so the result is `size` bytes (the
 * section's size is a 5-byte LEB128 whatever its value); `padding` is that section's zeroed
 * content after its name, for the caller to fill.
 */
export function paddedWasm(
  base: Uint8Array,
  size: number,
): { bytes: Uint8Array; padding: Uint8Array } {
  const label = new TextEncoder().encode("pad");
  const body = size - base.length - 1 - 5 - 1 - label.length;
  const content = 1 + label.length + body;
  const bytes = new Uint8Array(base.length + 1 + 5 + content);
  bytes.set(base, 0);
  let at = base.length;
  bytes[at++] = 0; // A custom section ...
  for (let i = 0, v = content; i < 5; i++, v = Math.floor(v / 128)) {
    bytes[at++] = (v & 0x7f) | (i < 4 ? 0x80 : 0); // ... its size as a 5-byte LEB128 ...
  }
  bytes[at++] = label.length; // ... and name; the rest is padding.
  bytes.set(label, at);
  return { bytes, padding: bytes.subarray(at + label.length) };
}

/** The header, then `sections`. */
export const wasm = (...sections: number[][]) =>
  new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()]);

/**
 * ```wat
 * (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
 * (memory (export "memory") 1)
 * (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
 * (func (export "_start") i32.const 3 call 0)
 * (func (export "spin") loop br 0 end)
 * (func (export "boom") unreachable)
 * ```
 */
export const PROGRAM = wasm(
  section(1, vec([[0x60, 1, I32, 0], [0x60, 2, I32, I32, 1, I32], [0x60, 0, 0]])),
  section(2, vec([[...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0, 0]])),
  section(3, vec([[1], [2], [2], [2]])),
  section(5, vec([[0, 1]])),
  section(
    7,
    vec([
      [...name("memory"), 2, 0],
      [...name("add"), 0, 1],
      [...name("_start"), 0, 2],
      [...name("spin"), 0, 3],
      [...name("boom"), 0, 4],
    ]),
  ),
  section(
    10,
    vec([
      body(0x20, 0, 0x20, 1, 0x6a),
      body(0x41, 3, 0x10, 0),
      body(0x03, 0x40, 0x0c, 0, 0x0b),
      body(0x00),
    ]),
  ),
);

/**
 * ```wat
 * (import "env" "nothere" (func))
 * ```
 */
export const BAD_IMPORT = wasm(
  section(1, vec([[0x60, 0, 0]])),
  section(2, vec([[...name("env"), ...name("nothere"), 0, 0]])),
);

/** `bytes` as the catalog would hand them to the engine. */
export function loaded(moduleName: string, bytes: Uint8Array, maxPages = 16): LoadedModule {
  const module = readModule(bytes);
  const sha256 = `${moduleName}-${bytes.length}`;
  return {
    name: moduleName,
    sha256,
    info: moduleInfo(module),
    bytes,
    runnable: capMemory(module, maxPages, moduleName),
    // No runnableModule: the inline engine then reads `runnable` itself.
  };
}
