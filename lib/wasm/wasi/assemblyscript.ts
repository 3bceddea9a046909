// The host functions AssemblyScript's default build imports from `env` (when compiled without
// the WASI shim): abort (a trap carrying the message and source location), trace and seed.
import type { GuestMemory } from "./memory.ts";

const utf16 = new TextDecoder("utf-16le");

/**
 * Thrown by `env.abort`: the module gave up with a message at a source location.
 *
 * @example
 * ```ts
 * if (error instanceof AbortTrap) console.log(error.message); // "boom at index.ts:3:5"
 * ```
 */
export class AbortTrap extends Error {}

/** An AssemblyScript string: UTF-16 code units, byte length in the 4 bytes before `ptr`. */
function readString(memory: GuestMemory, ptr: number): string | null {
  if (ptr === 0) return null;
  try {
    const length = memory.view().getUint32(ptr - 4, true);
    return utf16.decode(memory.bytes(ptr, length & ~1));
  } catch {
    return "<unreadable>";
  }
}

/**
 * The `env` imports of an AssemblyScript module.
 *
 * @example
 * ```ts
 * const env = assemblyScriptImports(memory, (text) => write(2, encode(text)));
 * ```
 */
export function assemblyScriptImports(memory: GuestMemory, trace: (line: string) => void) {
  return {
    abort(message: number, file: number, line: number, column: number): never {
      const text = readString(memory, message) ?? "abort";
      const where = readString(memory, file);
      throw new AbortTrap(where ? `${text} at ${where}:${line}:${column}` : text);
    },
    trace(message: number, count: number, ...values: number[]): void {
      const shown = values.slice(0, Math.max(0, Math.min(count, 5)));
      const text = readString(memory, message) ?? "";
      trace(`trace: ${text}${shown.length > 0 ? " " + shown.join(", ") : ""}\n`);
    },
    seed(): number {
      return Date.now();
    },
  };
}
