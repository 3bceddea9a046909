// Lists every file in lib/ with the test files of its mirror folder in tests/ that import it, so
// a file no test exercises shows. lib/protocol/frame.ts mirrors to tests/protocol/ (and folders
// under it); lib/errors.ts to the top of tests/. lib/wasm/ is left out when `skip` says so.
//
//   deno run --allow-read scripts/test_coverage_map.ts [--gaps]

/** One lib file and the test files of its mirror folder that import it. */
export interface CoverageRow {
  lib: string;
  tests: string[];
}

/** What {@linkcode coverageMap} reads: the tree's files by path from the repo root. */
export interface CoverageTree {
  /** Paths under lib/ ending in .ts, e.g. "lib/protocol/frame.ts". */
  libFiles: string[];
  /** Each test file's path (e.g. "tests/protocol/frame_test.ts") and its source text. */
  testSources: Map<string, string>;
}

/** The folder of `path`, without a trailing slash ("" for a file at the root). */
function dirname(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at);
}

/** Resolves a relative `specifier` against the file `from`; undefined for a bare or URL one. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const parts = dirname(from).split("/").filter((part) => part !== "");
  for (const part of specifier.split("/")) {
    if (part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join("/");
}

// `import ... from "x"`, `export ... from "x"`, `import "x"` and `import("x")`.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

/** The repo paths that the source of `file` imports by relative specifier. */
export function importsOf(file: string, source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(IMPORT)) {
    const path = resolveImport(file, match[1]);
    if (path !== undefined) found.add(path);
  }
  return [...found];
}

/** The tests/ folder that mirrors the folder of `lib` ("lib/node/map.ts" → "tests/node"). */
export function mirrorFolder(lib: string): string {
  return "tests" + dirname(lib).slice("lib".length);
}

/** Whether `test` lies in `folder` or below it; the top of tests/ counts only its own files. */
function inMirror(test: string, folder: string): boolean {
  if (folder === "tests") return dirname(test) === "tests";
  return test.startsWith(folder + "/");
}

/**
 * Maps each lib file (sorted) to the test files in its mirror folder that import it. A pure
 * function of `tree`; `skip` leaves out lib files it returns true for.
 */
export function coverageMap(
  tree: CoverageTree,
  skip: (lib: string) => boolean = () => false,
): CoverageRow[] {
  const importers = new Map<string, string[]>();
  for (const [test, source] of [...tree.testSources].sort(([a], [b]) => a.localeCompare(b))) {
    for (const path of importsOf(test, source)) {
      const list = importers.get(path) ?? [];
      list.push(test);
      importers.set(path, list);
    }
  }
  return tree.libFiles.filter((lib) => !skip(lib)).sort().map((lib) => ({
    lib,
    tests: (importers.get(lib) ?? []).filter((test) => inMirror(test, mirrorFolder(lib))),
  }));
}

/** The lib files no test of their mirror folder imports. */
export function coverageGaps(rows: CoverageRow[]): string[] {
  return rows.filter((row) => row.tests.length === 0).map((row) => row.lib);
}

/** True for files that another helper's tests cover (lib/wasm/). */
export function outsideScope(lib: string): boolean {
  return lib.startsWith("lib/wasm/");
}

/** Renders `rows` as lines "lib/x.ts  tests/a_test.ts, tests/b_test.ts" or "...  -". */
export function formatCoverage(rows: CoverageRow[]): string {
  const width = Math.max(0, ...rows.map((row) => row.lib.length));
  return rows.map((row) =>
    `${row.lib.padEnd(width)}  ${row.tests.length ? row.tests.join(", ") : "-"}`
  ).join("\n");
}

/** Every file under `dir` (relative to `root`) whose name passes `keep`. */
async function walk(root: string, dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await walk(root, path, keep));
    else if (entry.isFile && keep(entry.name)) out.push(path);
  }
  return out;
}

/** Reads lib/ and tests/ under `root` into a {@linkcode CoverageTree}. */
export async function readCoverageTree(root: string): Promise<CoverageTree> {
  const libFiles = await walk(root, "lib", (name) => name.endsWith(".ts"));
  const testSources = new Map<string, string>();
  for (const test of await walk(root, "tests", (name) => name.endsWith("_test.ts"))) {
    testSources.set(test, await Deno.readTextFile(`${root}/${test}`));
  }
  return { libFiles, testSources };
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const rows = coverageMap(await readCoverageTree(root), outsideScope);
  const shown = Deno.args.includes("--gaps") ? rows.filter((row) => !row.tests.length) : rows;
  console.log(formatCoverage(shown));
  const gaps = coverageGaps(rows);
  console.log(`\n${rows.length - gaps.length} of ${rows.length} lib files covered`);
}
