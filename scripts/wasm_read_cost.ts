// Times the wasm binary reader on a generated module of about 20 MiB (100k small functions,
// a quarter of them exported, each calling the one before): what a module load reads
// (signatures, memory caps) and what the inline engine reads (memory import, bounded exports,
// GC types). Each step is timed alone on the bytes, then as the catalog and the inline engine
// run them: one read of the module shared by the rest.
//
//   deno run scripts/wasm_read_cost.ts [MIB] [RUNS]
import { boundedExports } from "../lib/wasm/bounded_exports.ts";
import { usesGcTypes } from "../lib/wasm/gc_types.ts";
import { capMemory, capModule } from "../lib/wasm/memory_cap.ts";
import { importMemory } from "../lib/wasm/memory_import.ts";
import { encodeU32, readModule } from "../lib/wasm/module_reader.ts";
import { moduleInfo, readModuleInfo } from "../lib/wasm/signatures.ts";

const mib = Number(Deno.args[0] ?? 20);
const runs = Number(Deno.args[1] ?? 15);

function section(id: number, content: number[] | Uint8Array): Uint8Array {
  const head = [id, ...encodeU32(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

function bigModule(targetBytes: number): Uint8Array {
  // Each body: no locals; local.get 0, local.get 1, i32.add, 60 x (i32.const k, i32.add),
  // then a call to the function before (after the first), drop-free since it takes 2 args.
  const body = (i: number): number[] => {
    const code = [0, 0x20, 0, 0x20, 1, 0x6a];
    for (let k = 0; k < 60; k++) code.push(0x41, ...encodeU32(k + 1), 0x6a);
    if (i > 0) code.push(0x20, 0, 0x10, ...encodeU32(i - 1));
    code.push(0x0b);
    return [...encodeU32(code.length), ...code];
  };
  const perBody = body(1000).length;
  const count = Math.floor(targetBytes / perBody);
  const types = [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f];
  const functions = [...encodeU32(count)];
  for (let i = 0; i < count; i++) functions.push(0);
  const exports: number[] = [];
  let exported = 0;
  for (let i = 0; i < count; i += 4) {
    const name = new TextEncoder().encode(`f${i}`);
    exports.push(...encodeU32(name.length), ...name, 0, ...encodeU32(i));
    exported++;
  }
  exports.unshift(...encodeU32(exported + 1));
  exports.push(6, ...new TextEncoder().encode("memory"), 2, 0);
  const code: number[] = [...encodeU32(count)];
  for (let i = 0; i < count; i++) code.push(...body(i));
  const parts = [
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, types),
    section(3, functions),
    section(4, [1, 0x70, 0, 1]),
    section(5, [1, 0, 1]),
    section(7, exports),
    section(10, code),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function time(label: string, fn: () => unknown): void {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} median ${ms[ms.length >> 1].toFixed(2)} ms  min ${ms[0].toFixed(2)} ms`,
  );
}

const bytes = bigModule(mib * 1024 * 1024);
if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new Error("invalid module");
console.log(`module: ${(bytes.length / 1024 / 1024).toFixed(1)} MiB`);
const runnable = capMemory(bytes, 4096);
time("readModuleInfo (every load)", () => readModuleInfo(bytes));
time("capMemory (every load)", () => capMemory(bytes, 4096));
time("importMemory (inline compile)", () => importMemory(runnable));
time("boundedExports (inline compile)", () => boundedExports(runnable));
time("usesGcTypes (inline compile)", () => usesGcTypes(runnable));
// What the catalog and the inline engine do: one read each, shared by the rest.
const runnableModule = capModule(readModule(bytes), 4096);
time("load: read + info + cap", () => {
  const module = readModule(bytes);
  moduleInfo(module);
  capModule(module, 4096);
});
time("inline: import + bounded + gc", () => {
  importMemory(runnableModule);
  boundedExports(runnableModule);
  usesGcTypes(runnableModule);
});
