// Finds import cycles between the files of lib/ (type-only imports count too: a cycle of types
// is still two files that cannot be read apart). Prints one cycle per tangle and exits 1 if any.
//
//   deno run --allow-read scripts/import_cycles.ts [DIR]

/** Relative specifiers (static, `export ... from`, dynamic with a literal) in `source`. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
  const patterns = [
    /(?:^|[\n;])\s*(?:import|export)\s[^'";]*?\sfrom\s*["'](\.[^"']+)["']/g,
    /(?:^|[\n;])\s*import\s*["'](\.[^"']+)["']/g,
    /\bimport\(\s*["'](\.[^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

/** Resolves `specifier` as imported from `from` (both paths relative to one root, `/`-separated). */
export function resolveSpecifier(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/**
 * The import cycles among `files` (path → source): one cycle, as a list of paths that ends where
 * it starts, for each strongly connected set of files. Imports of files outside `files` are
 * ignored.
 *
 * @example
 * ```ts
 * findImportCycles(new Map([["a.ts", 'import "./b.ts";'], ["b.ts", 'import "./a.ts";']]));
 * // [["a.ts", "b.ts", "a.ts"]]
 * ```
 */
export function findImportCycles(files: Map<string, string>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [path, source] of files) {
    const targets = importSpecifiers(source).map((spec) => resolveSpecifier(path, spec));
    edges.set(path, [...new Set(targets.filter((target) => files.has(target)))].sort());
  }
  const cycles: string[][] = [];
  for (const group of stronglyConnected(edges)) {
    const first = group[0];
    if (group.length === 1 && !edges.get(first)!.includes(first)) continue;
    cycles.push(cycleThrough(first, new Set(group), edges));
  }
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

// Tarjan's algorithm, iterative so deep import chains cannot overflow the stack.
function stronglyConnected(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges.get(frame.node)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        groups.push(group.sort());
      }
    }
  }
  return groups;
}

// A shortest path from `start` back to itself inside `group` (breadth first).
function cycleThrough(start: string, group: Set<string>, edges: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of edges.get(node)!) {
      if (!group.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** Reads every `.ts` file under `dir` into a map keyed by its path relative to `dir`. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(sub: string): Promise<void> {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const path = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.set(path, await Deno.readTextFile(`${dir}/${path}`));
      }
    }
  }
  await walk("");
  return files;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? new URL("../lib", import.meta.url).pathname;
  const cycles = findImportCycles(await readTree(dir));
  for (const cycle of cycles) console.log(cycle.join(" -> "));
  console.log(`${cycles.length} import cycle(s) in ${dir}`);
  if (cycles.length > 0) Deno.exit(1);
}
