import { GvmError } from "../errors.ts";

/**
 * A WebAssembly value type as it appears in a function signature.
 *
 * @example
 * ```ts
 * const t: ValType = "i32";
 * ```
 */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/**
 * The parameter and result types of a function. Those returned by
 * {@linkcode readModuleInfo} are frozen, since exports of the same type share one object.
 *
 * @example
 * ```ts
 * const add: FuncSignature = { params: ["i32", "i32"], results: ["i32"] };
 * ```
 */
export interface FuncSignature {
  params: ValType[];
  results: ValType[];
}

/**
 * A memory's size limits, in 64 KiB pages.
 *
 * @example
 * ```ts
 * const limits: MemoryLimits = { min: 1, max: 16, shared: false, memory64: false };
 * ```
 */
export interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
}

/**
 * The kind of thing an import or export names.
 *
 * @example
 * ```ts
 * const kind: ExternKind = "memory";
 * ```
 */
export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

/**
 * One import a module needs from its host.
 *
 * @example
 * ```ts
 * const entry: ImportEntry = { module: "env", name: "log", kind: "function" };
 * ```
 */
export interface ImportEntry {
  module: string;
  name: string;
  kind: ExternKind;
}

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
  imports: ImportEntry[];
  /** the module's first memory (defined or imported), if any */
  memory?: MemoryLimits & { exported: boolean; imported: boolean };
}

const EXTERN_KINDS: readonly ExternKind[] = ["function", "table", "memory", "global", "tag"];

const FUNCTION = 0;
const TABLE = 1;
const MEMORY = 2;
const GLOBAL = 3;
const TAG = 4;

const SECTION_CUSTOM = 0;
const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_CODE = 10;
const SECTION_TAG = 13;

/** Sections read to their last byte, so leftover bytes there mean a lying size. */
const FULLY_READ = new Set([
  SECTION_TYPE,
  SECTION_IMPORT,
  SECTION_FUNCTION,
  SECTION_MEMORY,
  SECTION_EXPORT,
]);

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Where each known section id must sit in a module. Checking order up front lets every
 * section resolve indices against what came before, and rejects duplicates for free.
 */
const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1, // type
  2: 2, // import
  3: 3, // function
  4: 4, // table
  5: 5, // memory
  13: 6, // tag sits between memory and global
  6: 7, // global
  7: 8, // export
  8: 9, // start
  9: 10, // element
  12: 11, // data count precedes code so validators can check data indices in one pass
  10: 12, // code
  11: 13, // data
};

const VAL_TYPES: Readonly<Record<number, ValType>> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

/** GC-proposal type forms: recognised only so they fail clearly instead of misparsing. */
const GC_TYPE_FORMS: Readonly<Record<number, string>> = {
  0x4e: "rec group",
  0x50: "sub type",
  0x4f: "final sub type",
  0x5f: "struct type",
  0x5e: "array type",
};

// Fatal, so a mangled name is rejected rather than silently turned into U+FFFD.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function malformed(problem: string): GvmError {
  return new GvmError("BAD_MODULE", `Cannot read module: ${problem}`);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/** A bounded cursor: every read fails as BAD_MODULE rather than reading past `end`. */
class Reader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  readonly #where: string;
  #pos: number;

  constructor(bytes: Uint8Array, start: number, end: number, where: string) {
    this.#bytes = bytes;
    this.#pos = start;
    this.#end = end;
    this.#where = where;
  }

  get pos(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** Jumps to `pos` (within bounds) without looking at what lies between. */
  skipTo(pos: number): void {
    this.#pos = pos;
  }

  byte(): number {
    if (this.#pos >= this.#end) throw this.#ended();
    return this.#bytes[this.#pos++];
  }

  u32(): number {
    // Almost every count and index fits in one byte; keep that path branch-light.
    const pos = this.#pos;
    if (pos < this.#end) {
      const b = this.#bytes[pos];
      if (b < 0x80) {
        this.#pos = pos + 1;
        return b;
      }
    }
    return this.#leb(5);
  }

  u64(): number {
    return this.#leb(10);
  }

  /** A vector length, refused when it could not possibly fit in what is left. */
  count(what: string): number {
    const at = this.#pos;
    const n = this.u32();
    if (n > this.remaining) {
      throw malformed(
        `${what} count ${n} at byte ${at} exceeds the ${this.remaining} bytes left in ${this.#where}`,
      );
    }
    return n;
  }

  name(): string {
    const at = this.#pos;
    const length = this.u32();
    if (length > this.remaining) {
      throw malformed(`name at byte ${at} runs past the end of ${this.#where}`);
    }
    const start = this.#pos;
    this.#pos += length;
    try {
      return utf8.decode(this.#bytes.subarray(start, start + length));
    } catch {
      throw malformed(`name at byte ${at} is not valid UTF-8`);
    }
  }

  /**
   * Unsigned LEB128 of at most `maxBytes` bytes. Multiplication rather than bit shifts keeps
   * values past 2^31 positive; anything past 2^53 is refused since a number cannot hold it.
   */
  #leb(maxBytes: number): number {
    const bytes = this.#bytes;
    const start = this.#pos;
    let pos = start;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (pos >= this.#end) {
        // Nothing at all where a number belongs is a short section, not a short number.
        throw i === 0 ? this.#ended() : malformed(`truncated LEB128 at byte ${start}`);
      }
      const b = bytes[pos++];
      result += (b & 0x7f) * scale;
      if (result > Number.MAX_SAFE_INTEGER) {
        throw malformed(`LEB128 value too large at byte ${start}`);
      }
      if (b < 0x80) {
        // The last byte may only carry the bits that fit the declared width (32 or 64).
        if (i === maxBytes - 1 && b >= 1 << (maxBytes === 5 ? 4 : 1)) {
          throw malformed(`LEB128 value too large at byte ${start}`);
        }
        this.#pos = pos;
        return result;
      }
      scale *= 128;
    }
    throw malformed(`LEB128 longer than ${maxBytes} bytes at byte ${start}`);
  }

  #ended(): GvmError {
    return malformed(`unexpected end of ${this.#where} at byte ${this.#pos}`);
  }
}

/** What the sections contribute, accumulated in section order. */
interface Parsed {
  types: FuncSignature[];
  /** Type index of every function in index-space order: imports first, then defined. */
  funcTypes: number[];
  definedFunctions: number;
  codeBodies: number;
  imports: ImportEntry[];
  /** Every memory in index-space order: imports first, then defined. */
  memories: MemoryLimits[];
  importedMemories: number;
  tables: number;
  globals: number;
  tags: number;
  functions: Map<string, FuncSignature>;
  exports: { name: string; kind: ExternKind }[];
  memoryExported: boolean;
}

/**
 * Reads export signatures; throws GvmError("BAD_MODULE", ...) with a one-line message
 * (e.g. `Cannot read module: not a wasm binary (bad magic)`,
 * `Cannot read module: section 1 runs past the end at byte 57`) on anything malformed:
 * bad magic/version, truncated LEB128, section overrunning, unknown value type, function
 * index out of range, unsupported type form.
 *
 * Only the type, import, function, memory and export sections are parsed; every other
 * section (code included) is skipped by its declared size, so the cost tracks the header
 * sections rather than the module's size.
 *
 * @example
 * ```ts
 * const info = readModuleInfo(await Deno.readFile("modules/math.wasm"));
 * info.functions.get("add"); // { params: ["i32", "i32"], results: ["i32"] }
 * info.memory; // { min: 1, shared: false, memory64: false, exported: true, imported: false }
 * ```
 */
export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  readHeader(bytes);
  const m: Parsed = {
    types: [],
    funcTypes: [],
    definedFunctions: 0,
    codeBodies: 0,
    imports: [],
    memories: [],
    importedMemories: 0,
    tables: 0,
    globals: 0,
    tags: 0,
    functions: new Map(),
    exports: [],
    memoryExported: false,
  };

  const top = new Reader(bytes, 8, bytes.length, "module");
  let lastRank = 0;
  while (top.remaining > 0) {
    const headerAt = top.pos;
    const id = top.byte();
    const size = top.u32();
    const start = top.pos;
    const end = start + size;
    if (end > bytes.length) {
      throw malformed(
        `section ${id} runs past the end at byte ${bytes.length} ` +
          `(declares ${size} bytes from byte ${start})`,
      );
    }
    if (id !== SECTION_CUSTOM) {
      const rank = SECTION_RANK[id];
      if (rank === undefined) throw malformed(`unknown section id ${id} at byte ${headerAt}`);
      if (rank <= lastRank) {
        throw malformed(`section ${id} at byte ${headerAt} is duplicated or out of order`);
      }
      lastRank = rank;
    }
    readSection(new Reader(bytes, start, end, `section ${id}`), id, m);
    top.skipTo(end);
  }

  if (m.codeBodies !== m.definedFunctions) {
    throw malformed(
      `function section declares ${m.definedFunctions} functions ` +
        `but the code section has ${m.codeBodies} bodies`,
    );
  }
  return toModuleInfo(m);
}

function readHeader(bytes: Uint8Array): void {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw malformed("not a wasm binary (bad magic)");
  }
  if (bytes.length < 8) throw malformed("truncated header (no version)");
  if (bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return;
  const version = bytes[4] | bytes[5] << 8;
  // Byte 6 is the layer: 1 marks a component-model binary, a common mix-up worth naming.
  const hint = bytes[6] === 1 && bytes[7] === 0 ? " (a component, not a core module)" : "";
  throw malformed(`unsupported wasm version ${version}${hint}`);
}

function readSection(r: Reader, id: number, m: Parsed): void {
  switch (id) {
    case SECTION_TYPE:
      readTypeSection(r, m);
      break;
    case SECTION_IMPORT:
      readImportSection(r, m);
      break;
    case SECTION_FUNCTION:
      readFunctionSection(r, m);
      break;
    case SECTION_MEMORY:
      for (let n = r.count("memory"); n > 0; n--) m.memories.push(readLimits(r));
      break;
    case SECTION_EXPORT:
      readExportSection(r, m);
      break;
    // The rest is skipped, but these define indices that exports and bodies must match,
    // and their leading count is one cheap read.
    case SECTION_TABLE:
      m.tables += r.count("table");
      break;
    case SECTION_GLOBAL:
      m.globals += r.count("global");
      break;
    case SECTION_TAG:
      m.tags += r.count("tag");
      break;
    case SECTION_CODE:
      m.codeBodies = r.count("function body");
      break;
  }
  if (FULLY_READ.has(id) && r.remaining !== 0) {
    throw malformed(`section ${id} has ${r.remaining} unread bytes at byte ${r.pos}`);
  }
}

function readTypeSection(r: Reader, m: Parsed): void {
  for (let n = r.count("type"); n > 0; n--) {
    const at = r.pos;
    const form = r.byte();
    if (form !== 0x60) {
      const gc = GC_TYPE_FORMS[form];
      throw malformed(
        `unsupported type form ${hex(form)}${gc ? ` (GC proposal ${gc})` : ""} at byte ${at}`,
      );
    }
    const params = readValTypes(r, "parameter");
    const results = readValTypes(r, "result");
    // Exports of one type share this object; freezing it (rather than copying per export,
    // which dominates the cost for export-heavy modules) stops one caller's edit leaking.
    const signature: FuncSignature = { params, results };
    Object.freeze(params);
    Object.freeze(results);
    m.types.push(Object.freeze(signature));
  }
}

function readValTypes(r: Reader, what: string): ValType[] {
  const n = r.count(what);
  const out = new Array<ValType>(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r);
  return out;
}

function readValType(r: Reader): ValType {
  const at = r.pos;
  const code = r.byte();
  const type = VAL_TYPES[code];
  if (type === undefined) throw malformed(`unknown value type ${hex(code)} at byte ${at}`);
  return type;
}

function readTypeIndex(r: Reader, m: Parsed): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= m.types.length) {
    throw malformed(`type index ${index} out of range (${m.types.length} types) at byte ${at}`);
  }
  return index;
}

function readImportSection(r: Reader, m: Parsed): void {
  for (let n = r.count("import"); n > 0; n--) {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.byte();
    switch (kind) {
      case FUNCTION:
        m.funcTypes.push(readTypeIndex(r, m));
        break;
      case TABLE:
        readRefType(r);
        readLimits(r);
        m.tables++;
        break;
      case MEMORY:
        m.memories.push(readLimits(r));
        m.importedMemories++;
        break;
      case GLOBAL:
        readValType(r);
        readMutability(r);
        m.globals++;
        break;
      case TAG:
        readTagType(r, m);
        m.tags++;
        break;
      default:
        throw malformed(`unknown import kind ${hex(kind)} at byte ${at}`);
    }
    m.imports.push({ module, name, kind: EXTERN_KINDS[kind] });
  }
}

function readRefType(r: Reader): void {
  const at = r.pos;
  const code = r.byte();
  if (code !== 0x70 && code !== 0x6f) {
    throw malformed(`unknown reference type ${hex(code)} at byte ${at}`);
  }
}

function readMutability(r: Reader): void {
  const at = r.pos;
  const flag = r.byte();
  if (flag > 1) throw malformed(`bad global mutability ${hex(flag)} at byte ${at}`);
}

function readTagType(r: Reader, m: Parsed): void {
  const at = r.pos;
  const attribute = r.byte();
  // 0 (exception) is the only attribute defined; anything else is a format we cannot read.
  if (attribute !== 0) throw malformed(`unknown tag attribute ${hex(attribute)} at byte ${at}`);
  readTypeIndex(r, m);
}

function readLimits(r: Reader): MemoryLimits {
  const at = r.pos;
  const flags = r.byte();
  if (flags > 0x07) throw malformed(`unsupported limits flags ${hex(flags)} at byte ${at}`);
  const memory64 = (flags & 0x04) !== 0;
  const min = memory64 ? r.u64() : r.u32();
  const limits: MemoryLimits = { min, shared: (flags & 0x02) !== 0, memory64 };
  if (flags & 0x01) {
    const max = memory64 ? r.u64() : r.u32();
    if (max < min) throw malformed(`limits maximum ${max} below minimum ${min} at byte ${at}`);
    limits.max = max;
  }
  return limits;
}

function readFunctionSection(r: Reader, m: Parsed): void {
  const n = r.count("function");
  for (let i = 0; i < n; i++) m.funcTypes.push(readTypeIndex(r, m));
  m.definedFunctions = n;
}

function readExportSection(r: Reader, m: Parsed): void {
  // Every index space is complete here: section order was checked before we got this far.
  const spaceSizes = [m.funcTypes.length, m.tables, m.memories.length, m.globals, m.tags];
  const seen = new Set<string>();
  for (let n = r.count("export"); n > 0; n--) {
    const nameAt = r.pos;
    const name = r.name();
    if (seen.has(name)) {
      throw malformed(`duplicate export name ${JSON.stringify(name)} at byte ${nameAt}`);
    }
    seen.add(name);
    const kindAt = r.pos;
    const kindCode = r.byte();
    const kind = EXTERN_KINDS[kindCode];
    if (kind === undefined) {
      throw malformed(`unknown export kind ${hex(kindCode)} at byte ${kindAt}`);
    }
    const index = r.u32();
    if (index >= spaceSizes[kindCode]) {
      throw malformed(
        `${kind} index ${index} out of range in export ${JSON.stringify(name)} at byte ${kindAt}`,
      );
    }
    m.exports.push({ name, kind });
    if (kindCode === FUNCTION) {
      m.functions.set(name, m.types[m.funcTypes[index]]);
    } else if (kindCode === MEMORY && index === 0) {
      m.memoryExported = true;
    }
  }
}

function toModuleInfo(m: Parsed): ModuleInfo {
  const info: ModuleInfo = { functions: m.functions, exports: m.exports, imports: m.imports };
  const first = m.memories[0];
  if (first !== undefined) {
    info.memory = {
      ...first,
      exported: m.memoryExported,
      imported: m.importedMemories > 0,
    };
  }
  return info;
}
