import assert from "node:assert/strict";
import {
  coverageGaps,
  coverageMap,
  formatCoverage,
  importsOf,
  mirrorFolder,
  outsideScope,
  readCoverageTree,
  resolveImport,
} from "../../scripts/test_coverage_map.ts";

Deno.test("`resolveImport()` resolves relative specifiers and leaves bare ones", () => {
  assert.equal(resolveImport("tests/node/a_test.ts", "../../lib/node/map.ts"), "lib/node/map.ts");
  assert.equal(resolveImport("tests/a_test.ts", "./_assert.ts"), "tests/_assert.ts");
  assert.equal(resolveImport("tests/a_test.ts", "node:assert/strict"), undefined);
  assert.equal(resolveImport("tests/a_test.ts", "jsr:@std/x"), undefined);
  assert.equal(resolveImport("a_test.ts", "../x.ts"), undefined);
});

Deno.test("`importsOf()` finds static, re-export, side-effect and dynamic imports", () => {
  const source = [
    'import { a } from "../lib/a.ts";',
    'import type { B } from "../lib/b.ts";',
    'export { c } from "../lib/c.ts";',
    'import "../lib/d.ts";',
    'const e = await import("../lib/e.ts");',
    "import {\n  f,\n} from '../lib/f.ts';",
    'import assert from "node:assert/strict";',
  ].join("\n");
  assert.deepEqual(importsOf("tests/x_test.ts", source).sort(), [
    "lib/a.ts",
    "lib/b.ts",
    "lib/c.ts",
    "lib/d.ts",
    "lib/e.ts",
    "lib/f.ts",
  ]);
});

Deno.test("`mirrorFolder()` maps lib/ folders to tests/ folders", () => {
  assert.equal(mirrorFolder("lib/errors.ts"), "tests");
  assert.equal(mirrorFolder("lib/protocol/frame.ts"), "tests/protocol");
  assert.equal(mirrorFolder("lib/wasm/wasi/poll.ts"), "tests/wasm/wasi");
});

Deno.test("`coverageMap()` counts only importers in the mirror folder, and lists gaps", () => {
  const tree = {
    libFiles: ["lib/protocol/frame.ts", "lib/errors.ts", "lib/node/map.ts", "lib/wasm/x.ts"],
    testSources: new Map([
      ["tests/protocol/frame_test.ts", 'import "../../lib/protocol/frame.ts";'],
      // Imported from another folder's test, and from an integration test: not the mirror.
      ["tests/protocol/other_test.ts", 'import "../../lib/node/map.ts";'],
      ["tests/integration/x_test.ts", 'import "../../lib/errors.ts";'],
      // A subfolder of the top: does not count for lib/*.ts.
      ["tests/repl/e_test.ts", 'import "../../lib/errors.ts";'],
    ]),
  };
  const rows = coverageMap(tree, outsideScope);
  assert.deepEqual(rows, [
    { lib: "lib/errors.ts", tests: [] },
    { lib: "lib/node/map.ts", tests: [] },
    { lib: "lib/protocol/frame.ts", tests: ["tests/protocol/frame_test.ts"] },
  ]);
  assert.deepEqual(coverageGaps(rows), ["lib/errors.ts", "lib/node/map.ts"]);
  assert.equal(
    formatCoverage(rows),
    [
      "lib/errors.ts          -",
      "lib/node/map.ts        -",
      "lib/protocol/frame.ts  tests/protocol/frame_test.ts",
    ].join("\n"),
  );
});

Deno.test("`coverageMap()` allows tests in subfolders of the mirror folder", () => {
  const tree = {
    libFiles: ["lib/node/map.ts"],
    testSources: new Map([["tests/node/deep/m_test.ts", 'import "../../../lib/node/map.ts";']]),
  };
  assert.deepEqual(coverageGaps(coverageMap(tree)), []);
});

Deno.test({
  name: "every lib file outside lib/wasm is imported by a test of its mirror folder",
  permissions: { read: true },
  async fn() {
    const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
    const rows = coverageMap(await readCoverageTree(root), outsideScope);
    assert.ok(rows.length > 40, `only ${rows.length} lib files found under ${root}/lib`);
    assert.deepEqual(coverageGaps(rows), [], "lib files with no test in their mirror folder");
  },
});
