import { escapeText } from "../escape.ts";
import { NODE_OPS } from "./parser.ts";

/** What completion offers: module names, each module's exports, node names. */
export interface CompletionSource {
  moduleNames(): readonly string[];
  exportNames(module: string): readonly string[];
  /** Connected peers. */
  peers(): readonly string[];
  /** Live nodes GPMD knows. */
  discovered(): readonly string[];
}

const NODE_ARG = /Node\.(connect|disconnect|ping|run)\(\s*"?([A-Za-z0-9_.@:-]*)$/;
const WORD = /[A-Za-z0-9_.-]*$/;

/**
 * Tab completion for the prompt: commands and module names, `module.` exports, and node names
 * inside `Node.connect(` and friends. Synchronous, so keys typed quickly never race a lookup.
 * Returns `[candidates, the text they complete]`.
 *
 * @example
 * ```ts
 * completeLine(snapshot, "math.a"); // [["math.add("], "math.a"]
 * ```
 */
export function completeLine(source: CompletionSource, line: string): [string[], string] {
  try {
    const nodeArg = NODE_ARG.exec(line);
    if (nodeArg) {
      const names = nodeArg[1] === "connect" ? source.discovered() : source.peers();
      return [names.filter((n) => n.startsWith(nodeArg[2])), nodeArg[2]];
    }
    const word = WORD.exec(line)?.[0] ?? "";
    const dot = word.indexOf(".");
    let candidates: string[];
    if (dot === -1) {
      candidates = [...source.moduleNames(), "Node.", "help", "exit"];
    } else {
      const module = word.slice(0, dot);
      candidates = module === "Node"
        ? NODE_OPS.map((op) => `Node.${op.name}(`)
        : source.exportNames(module).map((fn) => `${module}.${fn}(`);
    }
    return [candidates.filter((c) => c.startsWith(word)), word];
  } catch {
    return [[], line];
  }
}

/** Where a {@linkcode CompletionSnapshot} reads from (a node). */
export interface CompletionOrigin {
  moduleNames(): Promise<string[]>;
  exportNames(module: string): Promise<string[]>;
  list(): string[];
  discover(): Promise<string[]>;
}

/**
 * The names completion offers, refreshed in the background between commands.
 *
 * @example
 * ```ts
 * const snapshot = new CompletionSnapshot(node);
 * await snapshot.refresh();
 * completeLine(snapshot, "ma");
 * ```
 */
export class CompletionSnapshot implements CompletionSource {
  readonly #origin: CompletionOrigin;
  #modules: string[] = [];
  #exports = new Map<string, string[]>();
  #discovered: string[] = [];

  constructor(origin: CompletionOrigin) {
    this.#origin = origin;
  }

  /** Re-reads module names, their exports and live nodes; never throws. */
  async refresh(): Promise<void> {
    const modules = await attempt(() => this.#origin.moduleNames(), this.#modules);
    const exports = new Map<string, string[]>();
    for (const module of modules) {
      const names = await attempt(() => this.#origin.exportNames(module), []);
      // Tab inserts what it offers into the line: a name with control characters is never offered.
      exports.set(module, names.filter((name) => escapeText(name) === name));
    }
    this.#modules = modules;
    this.#exports = exports;
    this.#discovered = await attempt(() => this.#origin.discover(), this.#discovered);
  }

  moduleNames(): readonly string[] {
    return this.#modules;
  }

  exportNames(module: string): readonly string[] {
    return this.#exports.get(module) ?? [];
  }

  peers(): readonly string[] {
    return this.#origin.list();
  }

  discovered(): readonly string[] {
    return this.#discovered;
  }
}

// Completion is best effort: a failing look-up, sync or async, leaves the old names.
async function attempt<T>(lookup: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await lookup();
  } catch {
    return fallback;
  }
}
