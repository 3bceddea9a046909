/**
 * Unsigned LEB128, as wasm writes every count, index and size.
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
 * Reads an unsigned LEB128 at `start`: the value and how many bytes it took. A value that does
 * not end within 5 bytes, or the buffer, reads as `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * ```ts
 * decodeU32(new Uint8Array([0xe5, 0x8e, 0x26]), 0); // [624485, 3]
 * ```
 */
export function decodeU32(bytes: Uint8Array, start: number): [number, number] {
  let result = 0;
  let shift = 0;
  let pos = start;
  while (pos < bytes.length && pos - start < 5) {
    const byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos - start];
    shift += 7;
  }
  return [Number.MAX_SAFE_INTEGER, pos - start];
}
