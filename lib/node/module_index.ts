import { escapeText } from "../escape.ts";
import { MAX_LISTED_MODULES } from "../limits.ts";

/** A node's modules with their exports, as a peer asks for them (`{ t: "modules" }`). */
export type ModuleIndex = Map<string, string[]>;

/** Where an index is read from: a node. */
export interface ModuleIndexSource {
  moduleNames(): Promise<string[]>;
  exportNames(module: string): Promise<string[]>;
}

/**
 * This node's modules and exports, in the reply's wire shape (`[{ name, exports }]`).
 *
 * @example
 * ```ts
 * conn.reply(id, { modules: await moduleIndexReply(node) });
 * ```
 */
export async function moduleIndexReply(
  source: ModuleIndexSource,
): Promise<{ name: string; exports: string[] }[]> {
  const names = (await source.moduleNames()).slice(0, MAX_LISTED_MODULES);
  const out = [];
  for (const name of names) {
    out.push({ name, exports: (await source.exportNames(name)).slice(0, MAX_LISTED_MODULES) });
  }
  return out;
}

/**
 * Reads a peer's reply, keeping only what completion may offer: at most 200 modules of 200
 * exports, each a plain name (a peer is not trusted to send text that is safe to type in).
 */
export function parseModuleIndex(value: unknown): ModuleIndex {
  const index: ModuleIndex = new Map();
  if (!Array.isArray(value)) return index;
  for (const entry of value.slice(0, MAX_LISTED_MODULES)) {
    const { name, exports } = (entry ?? {}) as { name?: unknown; exports?: unknown };
    if (!isPlainName(name)) continue;
    const fns = Array.isArray(exports)
      ? exports.slice(0, MAX_LISTED_MODULES).filter(isPlainName)
      : [];
    index.set(name, fns);
  }
  return index;
}

function isPlainName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 256 &&
    escapeText(value) === value && !/[\s,()"]/.test(value);
}
