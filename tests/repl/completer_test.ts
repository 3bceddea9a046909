import assert from "node:assert/strict";
import {
  completeLine,
  type CompletionOrigin,
  CompletionSnapshot,
  type CompletionSource,
} from "../../lib/repl/completer.ts";
import { NODE_OPS } from "../../lib/repl/parser.ts";

/**
 * A source with modules `math`, `types`, `hello`; `math` exports `add`, `sub`, `mul`.
 * `peers()` (connected nodes) and `discovered()` (registered nodes) differ, so tests can tell
 * which one answered.
 */
function fakeSource(): CompletionSource {
  return {
    moduleNames: () => ["math", "types", "hello"],
    exportNames: (module: string) => module === "math" ? ["add", "sub", "mul"] : [],
    peers: () => ["node-1", "other-9"],
    discovered: () => ["node-1", "node-2", "other-9"],
  };
}

/** A node-like origin for {@linkcode CompletionSnapshot}, recording what it was asked. */
interface FakeOrigin extends CompletionOrigin {
  calls: string[];
}

function fakeOrigin(overrides: Partial<CompletionOrigin> = {}): FakeOrigin {
  const calls: string[] = [];
  return {
    calls,
    moduleNames: () => {
      calls.push("moduleNames");
      return Promise.resolve(["math", "types"]);
    },
    exportNames: (module: string) => {
      calls.push(`exportNames:${module}`);
      return Promise.resolve(module === "math" ? ["add", "sub"] : ["sizes"]);
    },
    list: () => {
      calls.push("list");
      return ["node-1", "other-9"];
    },
    discover: () => {
      calls.push("discover");
      return Promise.resolve(["node-1", "node-2", "other-9"]);
    },
    ...overrides,
  };
}

Deno.test("`completeLine()` offers module names, `Node.`, `help` and `exit` on an empty line", () => {
  assert.deepEqual(completeLine(fakeSource(), ""), [
    ["math", "types", "hello", "Node.", "help", "exit"],
    "",
  ]);
});

Deno.test("`completeLine()` completes `ma` to `math`", () => {
  assert.deepEqual(completeLine(fakeSource(), "ma"), [["math"], "ma"]);
});

Deno.test("`completeLine()` completes `h` to both a module and `help`", () => {
  assert.deepEqual(completeLine(fakeSource(), "h"), [["hello", "help"], "h"]);
});

Deno.test("`completeLine()` completes `math.a` to `math.add(`", () => {
  assert.deepEqual(completeLine(fakeSource(), "math.a"), [["math.add("], "math.a"]);
});

Deno.test("`completeLine()` offers every export after `math.`", () => {
  assert.deepEqual(completeLine(fakeSource(), "math."), [
    ["math.add(", "math.sub(", "math.mul("],
    "math.",
  ]);
});

Deno.test("`completeLine()` offers nothing for a prefix no export has", () => {
  assert.deepEqual(completeLine(fakeSource(), "math.zz"), [[], "math.zz"]);
  assert.deepEqual(completeLine(fakeSource(), "nomodule.a"), [[], "nomodule.a"]);
});

Deno.test("`completeLine()` completes `Node.con` to `Node.connect(`", () => {
  assert.deepEqual(completeLine(fakeSource(), "Node.con"), [["Node.connect("], "Node.con"]);
});

Deno.test("`completeLine()` offers every Node operation after `Node.`", () => {
  const [candidates, word] = completeLine(fakeSource(), "Node.");
  assert.equal(word, "Node.");
  assert.deepEqual(candidates, NODE_OPS.map((op) => `Node.${op.name}(`));
  assert.ok(candidates.includes("Node.run("));
  assert.ok(candidates.includes("Node.discover("));
});

Deno.test("`completeLine()` offers discovered names inside `Node.connect(`", () => {
  assert.deepEqual(completeLine(fakeSource(), "Node.connect(no"), [["node-1", "node-2"], "no"]);
});

Deno.test("`completeLine()` completes a quoted node name inside `Node.connect(`", () => {
  assert.deepEqual(completeLine(fakeSource(), 'Node.connect("no'), [["node-1", "node-2"], "no"]);
});

Deno.test("`completeLine()` offers connected peers inside `Node.run(`", () => {
  assert.deepEqual(completeLine(fakeSource(), "Node.run("), [["node-1", "other-9"], ""]);
  assert.deepEqual(completeLine(fakeSource(), "Node.run(no"), [["node-1"], "no"]);
});

Deno.test("`completeLine()` offers connected peers inside `Node.ping(` and `Node.disconnect(`", () => {
  assert.deepEqual(completeLine(fakeSource(), "Node.ping(ot"), [["other-9"], "ot"]);
  assert.deepEqual(completeLine(fakeSource(), "Node.disconnect( node"), [["node-1"], "node"]);
});

Deno.test("`completeLine()` yields no candidates when the source throws", () => {
  const boom = (): never => {
    throw new Error("boom");
  };
  const throwing: CompletionSource = {
    moduleNames: boom,
    exportNames: boom,
    peers: boom,
    discovered: boom,
  };
  for (const line of ["", "ma", "math.a", "Node.connect(no", "Node.run("]) {
    assert.deepEqual(completeLine(throwing, line), [[], line], JSON.stringify(line));
  }
});

Deno.test("`CompletionSnapshot` offers only commands before the first refresh", () => {
  const snapshot = new CompletionSnapshot(fakeOrigin());
  assert.deepEqual(completeLine(snapshot, ""), [["Node.", "help", "exit"], ""]);
  assert.deepEqual(completeLine(snapshot, "math."), [[], "math."]);
  assert.deepEqual(completeLine(snapshot, "Node.connect("), [[], ""]);
});

Deno.test("`CompletionSnapshot.refresh()` reads modules, exports and discovered nodes", async () => {
  const origin = fakeOrigin();
  const snapshot = new CompletionSnapshot(origin);
  await snapshot.refresh();
  assert.deepEqual(origin.calls, [
    "moduleNames",
    "exportNames:math",
    "exportNames:types",
    "discover",
  ]);
  assert.deepEqual(completeLine(snapshot, "ma"), [["math"], "ma"]);
  assert.deepEqual(completeLine(snapshot, "math.a"), [["math.add("], "math.a"]);
  assert.deepEqual(completeLine(snapshot, "types."), [["types.sizes("], "types."]);
});

Deno.test("`CompletionSnapshot` offers names from discover() inside `Node.connect(`", async () => {
  const snapshot = new CompletionSnapshot(fakeOrigin());
  await snapshot.refresh();
  assert.deepEqual(completeLine(snapshot, "Node.connect(no"), [["node-1", "node-2"], "no"]);
});

Deno.test("`CompletionSnapshot` offers names from list() inside `Node.run(` without a refresh", () => {
  const origin = fakeOrigin();
  const snapshot = new CompletionSnapshot(origin);
  assert.deepEqual(completeLine(snapshot, "Node.run("), [["node-1", "other-9"], ""]);
  assert.deepEqual(origin.calls, ["list"]);
});

Deno.test("`CompletionSnapshot.refresh()` keeps earlier names when the origin rejects", async () => {
  let fail = false;
  const reject = () => Promise.reject(new Error("gpmd down"));
  const origin = fakeOrigin({
    moduleNames: () => fail ? reject() : Promise.resolve(["math"]),
    discover: () => fail ? reject() : Promise.resolve(["node-2"]),
  });
  const snapshot = new CompletionSnapshot(origin);
  await snapshot.refresh();
  fail = true;
  await snapshot.refresh();
  assert.deepEqual(completeLine(snapshot, ""), [["math", "Node.", "help", "exit"], ""]);
  assert.deepEqual(completeLine(snapshot, "Node.connect("), [["node-2"], ""]);
});

Deno.test("`CompletionSnapshot.refresh()` resolves when every origin method rejects", async () => {
  const reject = () => Promise.reject(new Error("nope"));
  const snapshot = new CompletionSnapshot(
    fakeOrigin({ moduleNames: reject, exportNames: reject, discover: reject }),
  );
  await snapshot.refresh();
  assert.deepEqual(completeLine(snapshot, ""), [["Node.", "help", "exit"], ""]);
  assert.deepEqual(completeLine(snapshot, "Node.connect("), [[], ""]);
});

Deno.test("`CompletionSnapshot.refresh()` offers no exports for a module whose read fails", async () => {
  const snapshot = new CompletionSnapshot(fakeOrigin({
    exportNames: (module) =>
      module === "math" ? Promise.reject(new Error("bad module")) : Promise.resolve(["sizes"]),
  }));
  await snapshot.refresh();
  assert.deepEqual(completeLine(snapshot, "math."), [[], "math."]);
  assert.deepEqual(completeLine(snapshot, "types."), [["types.sizes("], "types."]);
});

Deno.test("`completeLine()` on a snapshot whose list() throws yields no candidates", () => {
  const snapshot = new CompletionSnapshot(fakeOrigin({
    list: () => {
      throw new Error("closed");
    },
  }));
  assert.deepEqual(completeLine(snapshot, "Node.run("), [[], "Node.run("]);
});

Deno.test("CompletionSnapshot never offers an export name with control characters", async () => {
  const snapshot = new CompletionSnapshot(fakeOrigin({
    exportNames: () => Promise.resolve(["add", "x\nerror: FORGED\x1b]0;t\x07"]),
  }));
  await snapshot.refresh();
  assert.deepEqual(snapshot.exportNames("math"), ["add"]);
});

Deno.test("completeLine() offers a peer's modules and exports inside Node.run(node, ", () => {
  const source: CompletionSource = {
    ...fakeSource(),
    peerModules: (node) =>
      node === "node-1" ? new Map([["spin", ["announce", "count"]], ["math", ["add"]]]) : new Map(),
  };
  assert.deepEqual(completeLine(source, "Node.run(node-1, sp"), [["spin"], "sp"]);
  assert.deepEqual(completeLine(source, "Node.run(node-1, spin.a"), [["spin.announce("], "spin.a"]);
  assert.deepEqual(completeLine(source, 'Node.run("node-1",@sp'), [["@spin"], "@sp"]);
  // Another node's modules are its own, not ours (fakeSource's are math, types, hello).
  assert.deepEqual(completeLine(source, "Node.run(node-2, ma"), [[], "ma"]);
});

Deno.test("CompletionSnapshot never offers this node to Node.connect, and asks peers", async () => {
  const snapshot = new CompletionSnapshot({
    ...fakeOrigin(),
    name: "node-1",
    list: () => ["node-2"],
    discover: () => Promise.resolve(["node-1", "node-2", "node-3"]),
    peerModules: (node) => Promise.resolve(new Map([[`${node}-mod`, ["go"]]])),
  });
  await snapshot.refresh();
  assert.deepEqual(snapshot.discovered(), ["node-2", "node-3"]);
  assert.deepEqual([...snapshot.peerModules("node-2")], [["node-2-mod", ["go"]]]);
  assert.deepEqual(completeLine(snapshot, "Node.connect(node-"), [["node-2", "node-3"], "node-"]);
});
