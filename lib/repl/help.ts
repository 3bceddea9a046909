import { NODE_OPS } from "./parser.ts";

// Node.map needs more than a one-line summary: its item forms, and what a re-run means.
const MAP_NOTES = [
  'Node.map items: a value (7), a tuple of arguments (1, "x"), or an integer range 30..40',
  "(one call each, both ends included). Results print one line per call in input order.",
  "Calls of a node that goes down are re-run on another: safe, as each call gets a fresh",
  "instance, except for effects outside it (files written to an --allow-dir folder).",
];

/**
 * The prompt's `help` text, listing the modules available now.
 *
 * @example
 * ```ts
 * console.log(helpText(["math", "types"]));
 * ```
 */
export function helpText(modules: readonly string[]): string {
  const rows: [string, string][] = [
    ["math", "Run module math (its _start, else main)"],
    ['math(1, "x")', "Run it with program arguments"],
    ["math.add(1, 2)", "Call an export; arguments take its declared types"],
    ["math@v0.0.1.add(1, 2)", 'That version from GPMD\'s store (quote others: math@"v1.0-rc.1")'],
    ...NODE_OPS.map((op): [string, string] => [op.usage, op.summary]),
    ["Node.run(node, @math.add(1, 2))", "Run the node's own copy of math, not this node's"],
    ["help", "This text"],
    ["exit", "Leave the node (also Ctrl-D)"],
  ];
  const width = Math.max(...rows.map(([usage]) => usage.length)) + 2;
  const lines = rows.map(([usage, summary]) => `  ${usage.padEnd(width)}${summary}`);
  const available = modules.length > 0 ? modules.join(", ") : "none (drop a .wasm file in)";
  return [
    "Commands:",
    ...lines,
    ...MAP_NOTES,
    "Arguments: integers (42, -7, 0x1F), floats (1.5, 2e3), strings in double quotes.",
    "Node.run runs this node's copy of a module (sent by hash), whatever the other node has.",
    `Modules: ${available}`,
  ].join("\n");
}
