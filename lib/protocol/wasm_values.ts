// The one encoding of wasm values, used on every hop (node to node, and node to sandbox): a
// byte string of tagged items. MessagePack and CBOR both write -0 as the integer 0 and cannot
// tell an f64 2.0 from an i32 2, so values travel as their own bits instead: exact for every
// i64 (as BigInt), NaN, ±Infinity and -0.
import { GvmError } from "../errors.ts";
import type { ValType } from "../wasm/signatures.ts";
import type { CallArg, WasmParam, WasmValue } from "../wasm/values.ts";

/** Item tags: one byte before each value. */
const TAG = {
  i32: 1,
  i64: 2,
  f32: 3,
  f64: 4,
  /** An integer argument too wide for 64 bits: decimal text (the callee reports the range). */
  bigint: 5,
  string: 6,
  bytes: 7,
} as const;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

type Item =
  | { tag: 1 | 3 | 4; value: number }
  | { tag: 2; value: bigint }
  | { tag: 5 | 6; value: string }
  | { tag: 7; value: Uint8Array };

// Encodings are cut from one slab as views: a call's arguments and results are a few bytes, and
// a typed array of its own per encoding (an ArrayBuffer each) was the wire's largest cost
// after the socket. A slab that fills up is left to the views still using it.
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabView = new DataView(slab.buffer);
let slabUsed = 0;

class Writer {
  #bytes = slab;
  #view = slabView;
  #start = slabUsed;
  #at = slabUsed;

  #room(n: number): void {
    if (this.#at + n <= this.#bytes.length) return;
    const written = this.#bytes.subarray(this.#start, this.#at);
    const next = new Uint8Array(Math.max(SLAB_BYTES, (written.length + n) * 2));
    next.set(written);
    this.#bytes = slab = next;
    this.#view = slabView = new DataView(next.buffer);
    this.#start = 0;
    this.#at = written.length;
  }

  item(item: Item): void {
    this.#room(9);
    this.#bytes[this.#at++] = item.tag;
    switch (item.tag) {
      case TAG.i32:
        this.#view.setInt32(this.#at, item.value);
        this.#at += 4;
        return;
      case TAG.f32:
        this.#view.setFloat32(this.#at, item.value);
        this.#at += 4;
        return;
      case TAG.f64:
        this.#view.setFloat64(this.#at, item.value);
        this.#at += 8;
        return;
      case TAG.i64:
        this.#view.setBigInt64(this.#at, item.value);
        this.#at += 8;
        return;
      default: {
        const raw = typeof item.value === "string" ? textEncoder.encode(item.value) : item.value;
        this.#room(4 + raw.length);
        this.#view.setUint32(this.#at, raw.length);
        this.#bytes.set(raw, this.#at + 4);
        this.#at += 4 + raw.length;
      }
    }
  }

  done(): Uint8Array {
    slabUsed = this.#at;
    return this.#bytes.subarray(this.#start, this.#at);
  }
}

function malformed(why: string): GvmError {
  return new GvmError("PROTOCOL_ERROR", `Cannot parse wasm values: ${why}`);
}

function readItems(bytes: Uint8Array): Item[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Item[] = [];
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw malformed("truncated");
  };
  while (at < bytes.length) {
    const tag = bytes[at++];
    switch (tag) {
      case TAG.i32:
        need(4);
        items.push({ tag, value: view.getInt32(at) });
        at += 4;
        break;
      case TAG.f32:
        need(4);
        items.push({ tag, value: view.getFloat32(at) });
        at += 4;
        break;
      case TAG.f64:
        need(8);
        items.push({ tag, value: view.getFloat64(at) });
        at += 8;
        break;
      case TAG.i64:
        need(8);
        items.push({ tag, value: view.getBigInt64(at) });
        at += 8;
        break;
      case TAG.bigint:
      case TAG.string:
      case TAG.bytes: {
        need(4);
        const length = view.getUint32(at);
        at += 4;
        need(length);
        const raw = bytes.subarray(at, at + length);
        at += length;
        if (tag === TAG.bytes) {
          items.push({ tag, value: raw.slice() });
          break;
        }
        let text: string;
        try {
          text = textDecoder.decode(raw);
        } catch {
          throw malformed("bad UTF-8");
        }
        if (tag === TAG.bigint && !/^-?\d{1,4000}$/.test(text)) throw malformed("bad integer");
        items.push({ tag, value: text });
        break;
      }
      default:
        throw malformed(`unknown tag ${tag}`);
    }
  }
  return items;
}

const TYPE_OF_TAG: Record<number, ValType> = { 1: "i32", 2: "i64", 3: "f32", 4: "f64" };

/**
 * Encodes typed results (a call's reply).
 *
 * @example
 * ```ts
 * const bytes = encodeResults(["i64", "f64"], [2n ** 60n, -0]);
 * decodeResults(bytes); // { types: ["i64", "f64"], values: [1152921504606846976n, -0] }
 * ```
 */
export function encodeResults(types: readonly ValType[], values: readonly WasmValue[]): Uint8Array {
  const writer = new Writer();
  values.forEach((value, i) => {
    const type = types[i];
    if (type === "i64") writer.item({ tag: TAG.i64, value: BigInt.asIntN(64, BigInt(value)) });
    else if (type === "i32") writer.item({ tag: TAG.i32, value: Number(value) | 0 });
    else if (type === "f32") writer.item({ tag: TAG.f32, value: Number(value) });
    else if (type === "f64") writer.item({ tag: TAG.f64, value: Number(value) });
    else throw new GvmError("BAD_MODULE", `Results of type ${type} cannot be sent`);
  });
  return writer.done();
}

/** Inverse of {@linkcode encodeResults}; anything malformed is `PROTOCOL_ERROR`. */
export function decodeResults(bytes: Uint8Array): { types: ValType[]; values: WasmValue[] } {
  const types: ValType[] = [];
  const values: WasmValue[] = [];
  for (const item of readItems(bytes)) {
    const type = TYPE_OF_TAG[item.tag];
    if (type === undefined) throw malformed("a result must be i32, i64, f32 or f64");
    types.push(type);
    values.push(item.value as WasmValue);
  }
  return { types, values };
}

/**
 * Encodes untyped result values (i64 as bigint, the rest as number), as a sandbox reports them.
 *
 * @example
 * ```ts
 * decodeValues(encodeValues([1, 2n, NaN])); // [1, 2n, NaN]
 * ```
 */
export function encodeValues(values: readonly WasmValue[]): Uint8Array {
  const writer = new Writer();
  for (const value of values) {
    if (typeof value === "bigint") writer.item({ tag: TAG.i64, value: BigInt.asIntN(64, value) });
    else writer.item({ tag: TAG.f64, value });
  }
  return writer.done();
}

/** Inverse of {@linkcode encodeValues}. */
export function decodeValues(bytes: Uint8Array): WasmValue[] {
  return readItems(bytes).map((item) => {
    if (item.tag === TAG.i64 || item.tag <= TAG.f64) return item.value as WasmValue;
    throw malformed("a value must be a number");
  });
}

/**
 * Encodes call arguments as the prompt typed them.
 *
 * @example
 * ```ts
 * decodeArgs(encodeArgs([{ type: "int", value: 2n ** 70n }])); // [{ type: "int", value: 2n ** 70n }]
 * ```
 */
export function encodeArgs(args: readonly CallArg[]): Uint8Array {
  const writer = new Writer();
  for (const arg of args) {
    if (arg.type === "float") writer.item({ tag: TAG.f64, value: arg.value });
    else if (arg.type === "string") writer.item({ tag: TAG.string, value: arg.value });
    else if (arg.value >= I64_MIN && arg.value <= I64_MAX) {
      writer.item({ tag: TAG.i64, value: arg.value });
    } else writer.item({ tag: TAG.bigint, value: arg.value.toString() });
  }
  return writer.done();
}

/** Inverse of {@linkcode encodeArgs}; anything malformed is `PROTOCOL_ERROR`. */
export function decodeArgs(bytes: Uint8Array): CallArg[] {
  return readItems(bytes).map((item): CallArg => {
    switch (item.tag) {
      case TAG.i64:
        return { type: "int", value: item.value };
      case TAG.i32:
        return { type: "int", value: BigInt(item.value) };
      case TAG.bigint:
        return { type: "int", value: BigInt(item.value) };
      case TAG.f32:
      case TAG.f64:
        return { type: "float", value: item.value };
      case TAG.string:
        return { type: "string", value: item.value };
      default:
        throw malformed("an argument must be a number or a string");
    }
  });
}

/**
 * Encodes parameters converted to the export's types (node to sandbox).
 *
 * @example
 * ```ts
 * decodeParams(encodeParams([{ type: "f32", value: 1.5 }])); // [{ type: "f32", value: 1.5 }]
 * ```
 */
export function encodeParams(params: readonly WasmParam[]): Uint8Array {
  const writer = new Writer();
  for (const param of params) {
    if (param.type === "string") writer.item({ tag: TAG.bytes, value: param.bytes });
    else if (param.type === "i64") writer.item({ tag: TAG.i64, value: param.value });
    else writer.item({ tag: TAG[param.type], value: param.value });
  }
  return writer.done();
}

/** Inverse of {@linkcode encodeParams}. */
export function decodeParams(bytes: Uint8Array): WasmParam[] {
  return readItems(bytes).map((item): WasmParam => {
    switch (item.tag) {
      case TAG.i32:
        return { type: "i32", value: item.value };
      case TAG.i64:
        return { type: "i64", value: item.value };
      case TAG.f32:
        return { type: "f32", value: item.value };
      case TAG.f64:
        return { type: "f64", value: item.value };
      case TAG.bytes:
        return { type: "string", bytes: item.value };
      default:
        throw malformed("not a parameter");
    }
  });
}
