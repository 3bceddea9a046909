import assert from "node:assert/strict";
import {
  findImportCycles,
  importSpecifiers,
  readTree,
  resolveSpecifier,
} from "../../scripts/import_cycles.ts";

Deno.test("`findImportCycles()` finds a two-file cycle, type-only imports included", () => {
  const files = new Map([
    ["a/x.ts", 'import type { Y } from "./y.ts";\nexport type X = Y;'],
    ["a/y.ts", 'import {\n  x,\n} from "./x.ts";\nexport type Y = number;'],
    ["b.ts", 'import { x } from "./a/x.ts";'],
  ]);
  assert.deepEqual(findImportCycles(files), [["a/x.ts", "a/y.ts", "a/x.ts"]]);
});

Deno.test("`findImportCycles()` reports one cycle per tangle, through `..` and re-exports", () => {
  const files = new Map([
    ["p/a.ts", 'export { b } from "../q/b.ts";'],
    ["q/b.ts", 'import "./c.ts";'],
    ["q/c.ts", 'const m = await import("../p/a.ts");'],
    ["q/d.ts", 'import "./c.ts";'],
  ]);
  assert.deepEqual(findImportCycles(files), [["p/a.ts", "q/b.ts", "q/c.ts", "p/a.ts"]]);
});

Deno.test("`findImportCycles()` is empty for a tree without cycles; outside imports are ignored", () => {
  const files = new Map([
    ["a.ts", 'import { b } from "./b.ts";\nimport x from "node:process";\nimport "../out.ts";'],
    ["b.ts", 'import { c } from "./c.ts";'],
    ["c.ts", "export const c = 1; // import { a } from './a.ts' in a comment string"],
  ]);
  assert.deepEqual(findImportCycles(files), []);
});

Deno.test("`importSpecifiers()` reads static, export-from and literal dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    'export * from "./c.ts";',
    'import "./d.ts";',
    'const e = await import("./e.ts");',
    'import { f } from "jsr:@std/f";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source).sort(), [
    "../b.ts",
    "./a.ts",
    "./c.ts",
    "./d.ts",
    "./e.ts",
  ]);
});

Deno.test("lib/ has no import cycle", async () => {
  const lib = new URL("../../lib", import.meta.url).pathname;
  assert.deepEqual(findImportCycles(await readTree(lib)), []);
});

Deno.test("lib/gpmd imports nothing from lib/node, and lib/node only the GPMD client from lib/gpmd", async () => {
  const lib = new URL("../../lib", import.meta.url).pathname;
  const crossings: string[] = [];
  for (const [path, source] of await readTree(lib)) {
    for (const spec of importSpecifiers(source)) {
      const target = resolveSpecifier(path, spec);
      if (path.startsWith("gpmd/") && target.startsWith("node/")) {
        crossings.push(`${path} -> ${target}`);
      }
      if (path.startsWith("node/") && target.startsWith("gpmd/") && target !== "gpmd/client.ts") {
        crossings.push(`${path} -> ${target}`);
      }
    }
  }
  assert.deepEqual(crossings, []);
});
