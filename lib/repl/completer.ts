import { NODE_OPS } from "./parser.ts";

/** The candidates `complete` needs: module names, a module's exports, node names. */
export interface CompletionSource {
  moduleNames(): Promise<string[]>;
  exportNames(module: string): Promise<string[]>;
  list(): string[];
  discover(): Promise<string[]>;
}

const NODE_ARG = /Node\.(connect|disconnect|ping|run)\(\s*"?([A-Za-z0-9_.@:-]*)$/;
const WORD = /[A-Za-z0-9_.-]*$/;

/**
 * Tab completion for the prompt: commands and module names, `module.` exports, and node names
 * inside `Node.connect(` and friends. Returns `[candidates, the text they complete]`.
 *
 * @example
 * ```ts
 * await completeLine(node, "math.a"); // [["math.add("], "math.a"]
 * ```
 */
export async function completeLine(
  source: CompletionSource,
  line: string,
): Promise<[string[], string]> {
  try {
    const nodeArg = NODE_ARG.exec(line);
    if (nodeArg) {
      const names = nodeArg[1] === "connect"
        ? await source.discover().catch(() => source.list())
        : source.list();
      return [names.filter((n) => n.startsWith(nodeArg[2])), nodeArg[2]];
    }
    const word = WORD.exec(line)?.[0] ?? "";
    const dot = word.indexOf(".");
    let candidates: string[];
    if (dot === -1) {
      candidates = [...await source.moduleNames(), "Node.", "help", "exit"];
    } else {
      const module = word.slice(0, dot);
      candidates = module === "Node"
        ? NODE_OPS.map((op) => `Node.${op.name}(`)
        : (await source.exportNames(module)).map((fn) => `${module}.${fn}(`);
    }
    return [candidates.filter((c) => c.startsWith(word)), word];
  } catch {
    return [[], line];
  }
}
