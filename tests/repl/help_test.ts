import assert from "node:assert/strict";
import { helpText } from "../../lib/repl/help.ts";
import { NODE_OPS } from "../../lib/repl/parser.ts";

Deno.test("`helpText()` lists every `Node.*` usage with its summary", () => {
  const lines = helpText(["math"]).split("\n");
  assert.ok(NODE_OPS.length > 0);
  for (const op of NODE_OPS) {
    const line = lines.find((l) => l.startsWith(`  ${op.usage} `));
    assert.ok(line, `no line for ${op.usage}`);
    assert.ok(line.endsWith(op.summary), `${JSON.stringify(line)} lacks ${op.summary}`);
  }
});

Deno.test("`helpText()` aligns every summary in one column", () => {
  const text = helpText([]);
  const commandLines = text.split("\n").filter((l) => l.startsWith("  "));
  assert.equal(commandLines.length, NODE_OPS.length + 7);
  // Usage, then at least two spaces of padding, then the summary.
  const columns = new Set(commandLines.map((l) => {
    const summary = /^ {2}\S.*? {2,}(\S.*)$/.exec(l)?.[1];
    assert.ok(summary, `no summary in ${JSON.stringify(l)}`);
    return l.length - summary.length;
  }));
  assert.equal(columns.size, 1, `summaries start at columns ${[...columns]}`);
});

Deno.test("`helpText()` lists help and exit", () => {
  const lines = helpText([]).split("\n");
  assert.ok(lines.some((l) => /^ {2}help {2,}This text$/.test(l)));
  assert.ok(lines.some((l) => /^ {2}exit {2,}Leave the node/.test(l)));
});

Deno.test("`helpText()` names the modules passed", () => {
  const text = helpText(["math", "types", "hello"]);
  assert.equal(text.split("\n").at(-1), "Modules: math, types, hello");
  assert.ok(text.startsWith("Commands:\n"));
});

Deno.test("`helpText()` says so when there are no modules", () => {
  const text = helpText([]);
  assert.equal(text.split("\n").at(-1), "Modules: none (drop a .wasm file in)");
});

Deno.test("`helpText()` shows versions, the remote's own copy, and which copy Node.run runs", () => {
  const text = helpText([]);
  assert.match(text, /^ {2}math@v0\.0\.1\.add\(1, 2\) {2,}That version from GPMD's store/m);
  assert.match(text, /^ {2}Node\.run\(node, @math\.add\(1, 2\)\) {2,}Run the node's own copy/m);
  assert.match(text, /Node\.run runs this node's copy of a module \(sent by hash\)/);
});
