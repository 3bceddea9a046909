import { escapeText } from "../escape.ts";
import { NODE_REF_CHARS } from "../names.ts";
import { NODE_OPS } from "./parser.ts";

/** What completion offers: module names, each module's exports, node names. */
export interface CompletionSource {
  moduleNames(): readonly string[];
  exportNames(module: string): readonly string[];
  /** Connected peers. */
  peers(): readonly string[];
  /** Live nodes GPMD knows, this one excepted. */
  discovered(): readonly string[];
  /** Modules and their exports on connected peer `node` (for `Node.run(node, `). */
  peerModules?(node: string): ReadonlyMap<string, readonly string[]>;
}

const NODE_ARG = new RegExp(`Node\\.(connect|disconnect|ping|run)\\(\\s*"?(${NODE_REF_CHARS}*)$`);
// `Node.run(node-8399, ma` or `Node.run(node-8399, @math.a`: that node's modules and exports.
const RUN_CALL = new RegExp(
  `Node\\.run\\(\\s*"?(${NODE_REF_CHARS}+)"?\\s*,\\s*(@?[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]*)?)$`,
);
const WORD = /[A-Za-z0-9_.-]*$/;
// Node.map's function is named without arguments: its items are the arguments.
const MAP_TARGET = /Node\.map\(\s*[A-Za-z0-9_.-]*$/;

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
    const runCall = RUN_CALL.exec(line);
    if (runCall && source.peerModules) {
      const [, node, word] = runCall;
      const own = word.startsWith("@") ? "@" : "";
      const modules = source.peerModules(node);
      const dot = word.indexOf(".");
      const candidates = dot === -1
        ? [...modules.keys()].map((m) => `${own}${m}`)
        : (modules.get(word.slice(own.length, dot)) ?? []).map((fn) =>
          `${word.slice(0, dot)}.${fn}(`
        );
      return [candidates.filter((c) => c.startsWith(word)), word];
    }
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
    if (MAP_TARGET.test(line)) candidates = candidates.map((c) => c.replace(/\($/, ""));
    return [candidates.filter((c) => c.startsWith(word)), word];
  } catch {
    return [[], line];
  }
}

/** Where a {@linkcode CompletionSnapshot} reads from (a node). */
export interface CompletionOrigin {
  /** This node's name: never offered by `Node.connect(`. */
  name?: string;
  moduleNames(): Promise<string[]>;
  exportNames(module: string): Promise<string[]>;
  list(): string[];
  discover(): Promise<string[]>;
  peerModules?(node: string): Promise<ReadonlyMap<string, readonly string[]>>;
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
  #peerModules = new Map<string, ReadonlyMap<string, readonly string[]>>();

  constructor(origin: CompletionOrigin) {
    this.#origin = origin;
  }

  #refreshing: Promise<void> = Promise.resolve();

  /** Re-reads module names, their exports and live nodes; never throws. */
  refresh(): Promise<void> {
    this.#refreshing = this.#refresh();
    return this.#refreshing;
  }

  /**
   * Resolves once the refresh under way (if any) is done, or after `maxMs`: a Tab pressed right
   * after `Node.connect(...)` sees the new peer's modules, but a slow peer never stalls it long.
   */
  settled(maxMs = 300): Promise<void> {
    return Promise.race([this.#refreshing, new Promise<void>((r) => setTimeout(r, maxMs))]);
  }

  async #refresh(): Promise<void> {
    const modules = await attempt(() => this.#origin.moduleNames(), this.#modules);
    const exports = new Map<string, string[]>();
    for (const module of modules) {
      const names = await attempt(() => this.#origin.exportNames(module), []);
      // Tab inserts what it offers into the line: a name with control characters is never offered.
      exports.set(module, names.filter((name) => escapeText(name) === name));
    }
    this.#modules = modules;
    this.#exports = exports;
    const discovered = await attempt(() => this.#origin.discover(), this.#discovered);
    this.#discovered = discovered.filter((n) => n !== this.#origin.name);
    const peerModules = new Map<string, ReadonlyMap<string, readonly string[]>>();
    const fetch = this.#origin.peerModules;
    for (const peer of fetch ? this.#origin.list() : []) {
      const known = this.#peerModules.get(peer) ?? new Map();
      peerModules.set(peer, await attempt(() => fetch!.call(this.#origin, peer), known));
    }
    this.#peerModules = peerModules;
  }

  peerModules(node: string): ReadonlyMap<string, readonly string[]> {
    return this.#peerModules.get(node) ?? new Map();
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
