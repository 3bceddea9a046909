// The one reader of the wasm binary format: a bounded byte cursor with one LEB128 rule, a
// section walker that checks order and sizes, and the section decoders the rest of lib/wasm
// needs. `readModule` reads the header sections in one pass and records where every section
// sits; the table, start and code sections are decoded on demand from those ranges, so a module
// load costs what its header sections cost, whatever the size of its code.
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
 * The parameter and result types of a function. Those read by {@linkcode readModule} are
 * frozen, since functions and exports of the same type share one object.
 *
 * @example
 * ```ts
 * const add: FuncSignature = { params: ["i32", "i32"], results: ["i32"] };
 * ```
 */
export interface FuncSignature {
  /** Parameter types, in order. */
  params: ValType[];
  /** Result types, in order. */
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
  /** Initial size in pages. */
  min: number;
  /** Largest size in pages, when declared. */
  max?: number;
  /** A shared memory (threads proposal). */
  shared: boolean;
  /** A 64-bit memory (memory64 proposal). */
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
  /** The import's module name, e.g. `wasi_snapshot_preview1`. */
  module: string;
  /** The import's field name, e.g. `fd_write`. */
  name: string;
  /** What it imports. */
  kind: ExternKind;
}

/**
 * Where a section sits in the module: its id byte at `start`, its content from `contentStart`
 * to `end` (exclusive).
 *
 * @example
 * ```ts
 * const code = readModule(bytes).sections.find((s) => s.id === SECTION.code);
 * ```
 */
export interface SectionRange {
  /** The section id (see {@linkcode SECTION}). */
  id: number;
  /** Offset of the id byte. */
  start: number;
  /** Offset of the first content byte, after the size. */
  contentStart: number;
  /** Offset just past the last content byte. */
  end: number;
}

/** Byte offsets of a limits entry (flags byte to the end of its maximum) in the module. */
export interface LimitsRange {
  /** Offset of the flags byte. */
  start: number;
  /** Offset just past the last limit. */
  end: number;
}

/**
 * A module as {@linkcode readModule} reads it: the header sections decoded, every section's
 * place recorded. Index spaces list imports first, then the module's own definitions.
 *
 * @example
 * ```ts
 * const module = readModule(bytes);
 * module.functionTypes.map((t) => module.types[t]); // every function's signature
 * ```
 */
export interface WasmModule {
  /** the bytes read */
  bytes: Uint8Array;
  /** every section in order, custom sections included */
  sections: SectionRange[];
  /** the type section's function types */
  types: FuncSignature[];
  /** every import, in order */
  imports: ImportEntry[];
  /** type index of every function */
  functionTypes: number[];
  /** how many functions are imported (the first of `functionTypes`) */
  importedFunctions: number;
  /** limits of every memory */
  memories: MemoryLimits[];
  /** how many memories are imported (the first of `memories`) */
  importedMemories: number;
  /** where the limits of each defined memory sit (index i is memory importedMemories + i) */
  memoryRanges: LimitsRange[];
  /** size of the table index space */
  tables: number;
  /** size of the global index space */
  globals: number;
  /** size of the tag index space */
  tags: number;
  /** exports in order; `exportIndices[i]` is the index `exports[i]` names in its space */
  exports: { name: string; kind: ExternKind }[];
  /** index in its space of each of `exports` */
  exportIndices: number[];
  /** exported functions by name */
  functions: Map<string, FuncSignature>;
  /** bodies the code section declares */
  codeBodies: number;
}

/**
 * Section ids of the binary format.
 *
 * @example
 * ```ts
 * section(module, SECTION.code); // the code section's range, if any
 * ```
 */
export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/**
 * Import and export kind codes, in `ExternKind` order.
 *
 * @example
 * ```ts
 * EXTERN_KINDS[KIND.memory]; // "memory"
 * ```
 */
export const KIND = { function: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

/**
 * The kind names by code.
 *
 * @example
 * ```ts
 * EXTERN_KINDS[0]; // "function"
 * ```
 */
export const EXTERN_KINDS: readonly ExternKind[] = ["function", "table", "memory", "global", "tag"];

/** Limits flags: a maximum follows, shared, 64-bit, custom page size. */
export const LIMITS = { hasMax: 0x01, shared: 0x02, memory64: 0x04, customPage: 0x08 } as const;

/** The module header: magic and version 1. */
export const HEADER_BYTES = 8;

/** Sections read to their last byte, so leftover bytes there mean a lying size. */
const FULLY_READ = new Set<number>([
  SECTION.type,
  SECTION.import,
  SECTION.function,
  SECTION.memory,
  SECTION.export,
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

/**
 * What every read of a malformed module throws: a `BAD_MODULE` {@linkcode GvmError} reading
 * `Cannot read module: ...`. Its own class so that a rewrite can tell "these bytes are not a
 * module" (leave them to the compiler) from "GVM will not run this module".
 *
 * @example
 * ```ts
 * throw new MalformedModule("unknown section id 14 at byte 8");
 * ```
 */
export class MalformedModule extends GvmError {
  /** A `BAD_MODULE` error reading `Cannot read module: ${problem}`. */
  constructor(problem: string) {
    super("BAD_MODULE", `Cannot read module: ${problem}`);
  }
}

function malformed(problem: string): MalformedModule {
  return new MalformedModule(problem);
}

/**
 * A byte as `0x0f`, for messages.
 *
 * @example
 * ```ts
 * hex(15); // "0x0f"
 * ```
 */
export function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/**
 * A bounded cursor: every read fails as `BAD_MODULE` rather than reading past `end`.
 * Unsigned LEB128 has one rule: at most 5 bytes (u32) or 10 (u64), the last byte carrying only
 * the bits that fit, the value exact in a number (below 2^53).
 *
 * @example
 * ```ts
 * const r = new ByteReader(new Uint8Array([0xe5, 0x8e, 0x26]), 0, 3, "example");
 * r.u32(); // 624485
 * ```
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  readonly #where: string;
  #pos: number;

  /** Reads `bytes` from `start` up to `end`; `where` names the range in messages. */
  constructor(bytes: Uint8Array, start: number, end: number, where: string) {
    this.#bytes = bytes;
    this.#pos = start;
    this.#end = end;
    this.#where = where;
  }

  /** The offset of the next byte, counted from the start of `bytes`. */
  get pos(): number {
    return this.#pos;
  }

  /** The offset just past the last byte this reader may read. */
  get end(): number {
    return this.#end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** Jumps to `pos` without looking at what lies between; reads past `end` still fail. */
  skipTo(pos: number): void {
    this.#pos = pos;
  }

  /** Skips `n` bytes, which must be there. */
  skip(n: number): void {
    if (n > this.#end - this.#pos) throw this.#ended();
    this.#pos += n;
  }

  /** The next byte, not consumed. */
  peek(): number {
    if (this.#pos >= this.#end) throw this.#ended();
    return this.#bytes[this.#pos];
  }

  /** One byte. */
  byte(): number {
    if (this.#pos >= this.#end) throw this.#ended();
    return this.#bytes[this.#pos++];
  }

  /** An unsigned 32-bit LEB128. */
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

  /** An unsigned 64-bit LEB128 (refused past 2^53, which no size or index reaches). */
  u64(): number {
    return this.#leb(10);
  }

  /** Skips a LEB128 of either sign up to 64 bits (an s32, s33 or s64 immediate). */
  skipLeb(): void {
    const start = this.#pos;
    for (let i = 0; i < 10; i++) {
      if ((this.byte() & 0x80) === 0) return;
    }
    throw malformed(`LEB128 longer than 10 bytes at byte ${start}`);
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

  /** A UTF-8 name. */
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

/**
 * Unsigned LEB128, as wasm writes every count, index and size (any safe integer).
 *
 * @example
 * ```ts
 * encodeU32(624485); // [0xe5, 0x8e, 0x26]
 * ```
 */
export function encodeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * Walks the sections after the header: each one's id and range, in order. Throws `BAD_MODULE`
 * on bad magic or version, a section running past the end, an unknown id, or sections out of
 * order or duplicated.
 *
 * @example
 * ```ts
 * for (const s of walkSections(bytes)) console.log(s.id, s.end - s.contentStart);
 * ```
 */
export function walkSections(bytes: Uint8Array): SectionRange[] {
  readHeader(bytes);
  const out: SectionRange[] = [];
  const top = new ByteReader(bytes, HEADER_BYTES, bytes.length, "module");
  let lastRank = 0;
  while (top.remaining > 0) {
    const start = top.pos;
    const id = top.byte();
    const size = top.u32();
    const contentStart = top.pos;
    const end = contentStart + size;
    if (end > bytes.length) {
      throw malformed(
        `section ${id} runs past the end at byte ${bytes.length} ` +
          `(declares ${size} bytes from byte ${contentStart})`,
      );
    }
    if (id !== SECTION.custom) {
      const rank = SECTION_RANK[id];
      if (rank === undefined) throw malformed(`unknown section id ${id} at byte ${start}`);
      if (rank <= lastRank) {
        throw malformed(`section ${id} at byte ${start} is duplicated or out of order`);
      }
      lastRank = rank;
    }
    out.push({ id, start, contentStart, end });
    top.skipTo(end);
  }
  return out;
}

/**
 * The range of the module's section `id` (not custom), if it has one.
 *
 * @example
 * ```ts
 * section(readModule(bytes), SECTION.code); // { id: 10, start, contentStart, end }
 * ```
 */
export function section(module: WasmModule, id: number): SectionRange | undefined {
  return module.sections.find((s) => s.id === id);
}

/**
 * A reader over one section's content.
 *
 * @example
 * ```ts
 * const r = sectionReader(module.bytes, section(module, SECTION.start)!);
 * r.u32(); // the start function's index
 * ```
 */
export function sectionReader(bytes: Uint8Array, range: SectionRange): ByteReader {
  return new ByteReader(bytes, range.contentStart, range.end, `section ${range.id}`);
}

/**
 * Reads a module's header sections in one pass: types, imports, functions, memories and
 * exports, with the sizes of the table, global and tag index spaces, and the place of every
 * section. Throws `BAD_MODULE` with a one-line message (e.g.
 * `Cannot read module: not a wasm binary (bad magic)`,
 * `Cannot read module: section 1 runs past the end at byte 57`) on anything malformed: bad
 * magic or version, truncated LEB128, section overrunning, unknown value type, index out of
 * range, unsupported type form (GC types included).
 *
 * Other sections (code included) are skipped by their declared size after a leading count at
 * most, so the cost tracks the header sections rather than the module's size.
 *
 * @example
 * ```ts
 * const module = readModule(await Deno.readFile("modules/math.wasm"));
 * module.functions.get("add"); // { params: ["i32", "i32"], results: ["i32"] }
 * ```
 */
export function readModule(bytes: Uint8Array): WasmModule {
  const sections = walkSections(bytes);
  const m: WasmModule = {
    bytes,
    sections,
    types: [],
    imports: [],
    functionTypes: [],
    importedFunctions: 0,
    memories: [],
    importedMemories: 0,
    memoryRanges: [],
    tables: 0,
    globals: 0,
    tags: 0,
    exports: [],
    exportIndices: [],
    functions: new Map(),
    codeBodies: 0,
  };
  let definedFunctions = 0;
  for (const range of sections) {
    const r = sectionReader(bytes, range);
    switch (range.id) {
      case SECTION.type:
        readTypeSection(r, m);
        break;
      case SECTION.import:
        readImportSection(r, m);
        m.importedFunctions = m.functionTypes.length;
        break;
      case SECTION.function:
        definedFunctions = readFunctionSection(r, m);
        break;
      case SECTION.memory:
        for (let n = r.count("memory"); n > 0; n--) {
          const start = r.pos;
          m.memories.push(readLimits(r));
          m.memoryRanges.push({ start, end: r.pos });
        }
        break;
      case SECTION.export:
        readExportSection(r, m);
        break;
      // The rest is skipped, but these define indices that exports and bodies must match,
      // and their leading count is one cheap read.
      case SECTION.table:
        m.tables += r.count("table");
        break;
      case SECTION.global:
        m.globals += r.count("global");
        break;
      case SECTION.tag:
        m.tags += r.count("tag");
        break;
      case SECTION.code:
        m.codeBodies = r.count("function body");
        break;
    }
    if (FULLY_READ.has(range.id) && r.remaining !== 0) {
      throw malformed(`section ${range.id} has ${r.remaining} unread bytes at byte ${r.pos}`);
    }
  }
  if (m.codeBodies !== definedFunctions) {
    throw malformed(
      `function section declares ${definedFunctions} functions ` +
        `but the code section has ${m.codeBodies} bodies`,
    );
  }
  return m;
}

function readHeader(bytes: Uint8Array): void {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw malformed("not a wasm binary (bad magic)");
  }
  if (bytes.length < HEADER_BYTES) throw malformed("truncated header (no version)");
  if (bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return;
  const version = bytes[4] | bytes[5] << 8;
  // Byte 6 is the layer: 1 marks a component-model binary, a common mix-up worth naming.
  const hint = bytes[6] === 1 && bytes[7] === 0 ? " (a component, not a core module)" : "";
  throw malformed(`unsupported wasm version ${version}${hint}`);
}

function readTypeSection(r: ByteReader, m: WasmModule): void {
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

function readValTypes(r: ByteReader, what: string): ValType[] {
  const n = r.count(what);
  const out = new Array<ValType>(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r);
  return out;
}

function readValType(r: ByteReader): ValType {
  const at = r.pos;
  const code = r.byte();
  const type = VAL_TYPES[code];
  if (type === undefined) throw malformed(`unknown value type ${hex(code)} at byte ${at}`);
  return type;
}

function readTypeIndex(r: ByteReader, m: WasmModule): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= m.types.length) {
    throw malformed(`type index ${index} out of range (${m.types.length} types) at byte ${at}`);
  }
  return index;
}

function readImportSection(r: ByteReader, m: WasmModule): void {
  for (let n = r.count("import"); n > 0; n--) {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.byte();
    switch (kind) {
      case KIND.function:
        m.functionTypes.push(readTypeIndex(r, m));
        break;
      case KIND.table:
        readRefType(r);
        readLimits(r);
        m.tables++;
        break;
      case KIND.memory:
        m.memories.push(readLimits(r));
        m.importedMemories++;
        break;
      case KIND.global:
        readValType(r);
        readMutability(r);
        m.globals++;
        break;
      case KIND.tag:
        readTagType(r, m);
        m.tags++;
        break;
      default:
        throw malformed(`unknown import kind ${hex(kind)} at byte ${at}`);
    }
    m.imports.push({ module, name, kind: EXTERN_KINDS[kind] });
  }
}

function readRefType(r: ByteReader): void {
  const at = r.pos;
  const code = r.byte();
  if (code !== 0x70 && code !== 0x6f) {
    throw malformed(`unknown reference type ${hex(code)} at byte ${at}`);
  }
}

function readMutability(r: ByteReader): void {
  const at = r.pos;
  const flag = r.byte();
  if (flag > 1) throw malformed(`bad global mutability ${hex(flag)} at byte ${at}`);
}

function readTagType(r: ByteReader, m: WasmModule): void {
  const at = r.pos;
  const attribute = r.byte();
  // 0 (exception) is the only attribute defined; anything else is a format we cannot read.
  if (attribute !== 0) throw malformed(`unknown tag attribute ${hex(attribute)} at byte ${at}`);
  readTypeIndex(r, m);
}

function readLimits(r: ByteReader): MemoryLimits {
  const at = r.pos;
  const flags = r.byte();
  if (flags > 0x07) throw malformed(`unsupported limits flags ${hex(flags)} at byte ${at}`);
  const memory64 = (flags & LIMITS.memory64) !== 0;
  const min = memory64 ? r.u64() : r.u32();
  const limits: MemoryLimits = { min, shared: (flags & LIMITS.shared) !== 0, memory64 };
  if (flags & LIMITS.hasMax) {
    const max = memory64 ? r.u64() : r.u32();
    if (max < min) throw malformed(`limits maximum ${max} below minimum ${min} at byte ${at}`);
    limits.max = max;
  }
  return limits;
}

function readFunctionSection(r: ByteReader, m: WasmModule): number {
  const n = r.count("function");
  for (let i = 0; i < n; i++) m.functionTypes.push(readTypeIndex(r, m));
  return n;
}

function readExportSection(r: ByteReader, m: WasmModule): void {
  // Every index space is complete here: section order was checked before we got this far.
  const spaceSizes = [m.functionTypes.length, m.tables, m.memories.length, m.globals, m.tags];
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
    m.exportIndices.push(index);
    if (kindCode === KIND.function) m.functions.set(name, m.types[m.functionTypes[index]]);
  }
}

/**
 * The module as it reads after a rewrite that changed nothing but limits in its table and
 * memory sections (what `capMemory` does): the sections are walked again and the memory
 * section re-read; types, imports, functions and exports carry over unread.
 *
 * @example
 * ```ts
 * const runnable = withNewLimits(module, cappedBytes); // no second read of the whole module
 * ```
 */
export function withNewLimits(module: WasmModule, bytes: Uint8Array): WasmModule {
  if (bytes === module.bytes) return module;
  const sections = walkSections(bytes);
  const memories = module.memories.slice(0, module.importedMemories);
  const memoryRanges: LimitsRange[] = [];
  const range = sections.find((s) => s.id === SECTION.memory);
  if (range) {
    const r = sectionReader(bytes, range);
    for (let n = r.count("memory"); n > 0; n--) {
      const start = r.pos;
      memories.push(readLimits(r));
      memoryRanges.push({ start, end: r.pos });
    }
  }
  return { ...module, bytes, sections, memories, memoryRanges };
}

/**
 * The start function's index, if the module has a start section.
 *
 * @example
 * ```ts
 * startFunction(readModule(bytes)); // 3, or undefined
 * ```
 */
export function startFunction(module: WasmModule): number | undefined {
  const range = section(module, SECTION.start);
  return range ? sectionReader(module.bytes, range).u32() : undefined;
}

/**
 * Where each function body sits: from the first byte of its locals to its final `end`
 * (exclusive). Bodies are not looked into.
 *
 * @example
 * ```ts
 * const [first] = codeBodies(readModule(bytes)); // { start: 120, end: 131 }
 * ```
 */
export function codeBodies(module: WasmModule): { start: number; end: number }[] {
  const range = section(module, SECTION.code);
  if (!range) return [];
  const r = sectionReader(module.bytes, range);
  const n = r.count("function body");
  const out = new Array<{ start: number; end: number }>(n);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const size = r.u32();
    const start = r.pos;
    if (size > r.remaining) throw malformed(`function body at byte ${at} runs past its section`);
    out[i] = { start, end: start + size };
    r.skipTo(start + size);
  }
  return out;
}

/**
 * A table the module defines: its limits (in slots), flags byte, and where the limits sit.
 *
 * @example
 * ```ts
 * const [table] = definedTables(readModule(bytes)); // { flags: 0, min: 1, start, end }
 * ```
 */
export interface TableEntry extends LimitsRange {
  /** The limits flags byte. */
  flags: number;
  /** Initial size in slots. */
  min: number;
  /** Largest size in slots, when declared. */
  max?: number;
}

/**
 * Decodes the table section: each defined table's limits and their place, skipping reference
 * types (typed ones included) and initial-value expressions. Throws `BAD_MODULE` naming
 * `name` for what GVM cannot check: a custom page size, or an initial value built from
 * instructions other than constants.
 *
 * @example
 * ```ts
 * definedTables(readModule(bytes), "tables"); // [{ flags: 1, min: 1, max: 10, start, end }]
 * ```
 */
export function definedTables(module: WasmModule, name = "module"): TableEntry[] {
  const range = section(module, SECTION.table);
  if (!range) return [];
  const r = sectionReader(module.bytes, range);
  const out: TableEntry[] = [];
  for (let n = r.count("table"); n > 0; n--) {
    const withInit = r.peek() === 0x40;
    if (withInit) r.skip(2); // 0x40 0x00
    // (ref ht) and (ref null ht) carry a heap type; funcref, externref ... are one byte.
    const ref = r.byte();
    if (ref === 0x63 || ref === 0x64) r.skipLeb();
    out.push(readRawLimits(r, name));
    if (withInit) skipConstExpr(r, name);
  }
  return out;
}

/**
 * Limits with their flags byte and offsets, for rewriting; 64-bit sizes read as u64.
 * A custom page size is refused, naming the module.
 */
function readRawLimits(r: ByteReader, name: string): TableEntry {
  const start = r.pos;
  const flags = r.byte();
  if (flags & LIMITS.customPage) {
    throw new GvmError("BAD_MODULE", `${name} declares a custom page size, which GVM does not run`);
  }
  const min = r.u64();
  const entry: TableEntry = { flags, min, start, end: start };
  if (flags & LIMITS.hasMax) entry.max = r.u64();
  entry.end = r.pos;
  return entry;
}

// A table's initial-value expression: the constant instructions wasm allows there.
function skipConstExpr(r: ByteReader, name: string): void {
  while (r.remaining > 0) {
    const op = r.byte();
    if (op === 0x0b) return; // end
    if (op === 0xd0 || op === 0xd2 || op === 0x23 || op === 0x41 || op === 0x42) {
      r.skipLeb(); // ref.null ht, ref.func, global.get, i32/i64.const
    } else if (op === 0x44) r.skip(8); // f64.const
    else if (op === 0x43) r.skip(4); // f32.const
    else if (op === 0x6a || op === 0x6b || op === 0x6c || (op >= 0x7c && op <= 0x7e)) continue;
    else {
      throw new GvmError(
        "BAD_MODULE",
        `${name} initialises a table with an instruction GVM cannot check (0x${op.toString(16)})`,
      );
    }
  }
}
