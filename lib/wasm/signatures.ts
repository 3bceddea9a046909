import {
  type ExternKind,
  type FuncSignature,
  type ImportEntry,
  type MemoryLimits,
  readModule,
  type WasmModule,
} from "./module_reader.ts";

export type {
  ExternKind,
  FuncSignature,
  ImportEntry,
  MemoryLimits,
  ValType,
} from "./module_reader.ts";

/**
 * What GVM needs to know about a module before instantiating it.
 *
 * @example
 * ```ts
 * const info: ModuleInfo = readModuleInfo(bytes);
 * info.functions.get("add"); // { params: ["i32", "i32"], results: ["i32"] }
 * ```
 */
export interface ModuleInfo {
  /** exported functions by export name */
  functions: Map<string, FuncSignature>;
  /** names of every export of any kind, in order, with its kind */
  exports: { name: string; kind: ExternKind }[];
  /** every import, in order */
  imports: ImportEntry[];
  /** the module's first memory (defined or imported), if any */
  memory?: MemoryLimits & { exported: boolean; imported: boolean };
}

/**
 * Reads export signatures, imports and the first memory with {@linkcode readModule}; throws
 * GvmError("BAD_MODULE", ...) with a one-line message (e.g.
 * `Cannot read module: not a wasm binary (bad magic)`) on anything malformed.
 *
 * @example
 * ```ts
 * const info = readModuleInfo(await Deno.readFile("modules/math.wasm"));
 * info.functions.get("add"); // { params: ["i32", "i32"], results: ["i32"] }
 * info.memory; // { min: 1, shared: false, memory64: false, exported: true, imported: false }
 * ```
 */
export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  return moduleInfo(readModule(bytes));
}

/**
 * The {@linkcode ModuleInfo} of a module already read.
 *
 * @example
 * ```ts
 * const module = readModule(bytes);
 * moduleInfo(module).functions; // exported functions by name
 * ```
 */
export function moduleInfo(module: WasmModule): ModuleInfo {
  const info: ModuleInfo = {
    functions: module.functions,
    exports: module.exports,
    imports: module.imports,
  };
  const first = module.memories[0];
  if (first !== undefined) {
    const exported = module.exports.some((e, i) =>
      e.kind === "memory" && module.exportIndices[i] === 0
    );
    info.memory = { ...first, exported, imported: module.importedMemories > 0 };
  }
  return info;
}
