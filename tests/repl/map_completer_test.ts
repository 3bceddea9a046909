import assert from "node:assert/strict";
import { completeLine, type CompletionSource } from "../../lib/repl/completer.ts";

const source: CompletionSource = {
  moduleNames: () => ["math", "types"],
  exportNames: (module: string) => module === "math" ? ["add", "sub"] : [],
  peers: () => [],
  discovered: () => [],
};

Deno.test("`completeLine()` completes Node.map's function without a '('", () => {
  assert.deepEqual(completeLine(source, "Node.map(math.a"), [["math.add"], "math.a"]);
  assert.deepEqual(completeLine(source, "Node.map( ma"), [["math"], "ma"]);
});

Deno.test("`completeLine()` offers Node.map( among the Node operations", () => {
  assert.deepEqual(completeLine(source, "Node.m"), [["Node.multicall(", "Node.map("], "Node.m"]);
});
