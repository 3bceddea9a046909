// Runs the WebAssembly/wasi-testsuite preview-1 tests through `gvm run`, checking as the suite's
// reference runner does: the exit status, and that stdout starts with the expected text.
//
//   deno run -A scripts/wasi_testsuite.ts /path/to/wasi-testsuite [NAME_FILTER]
//
// The suite is not part of this repository; clone it (branch prod/testsuite-base) anywhere.
import { basename, dirname, join } from "node:path";

interface TestConfig {
  args?: string[];
  env?: Record<string, string>;
  root?: string;
  exit_code?: number;
  stdout?: string;
}

const main = new URL("../main.ts", import.meta.url).pathname;

function findTests(suite: string): string[] {
  const found: string[] = [];
  for (const lang of Deno.readDirSync(join(suite, "tests"))) {
    const dir = join(suite, "tests", lang.name, "testsuite", "wasm32-wasip1");
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.name.endsWith(".wasm")) found.push(join(dir, entry.name));
      }
    } catch {
      // This language has no preview-1 tests.
    }
  }
  return found.sort();
}

// The reference runner deletes `*.cleanup` files a test left in its folder before it runs.
function cleanup(dir: string): void {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.name.endsWith(".cleanup") && !entry.isSymlink) {
      Deno.removeSync(path, { recursive: true });
    } else if (entry.isDirectory) {
      cleanup(path);
    }
  }
}

function readConfig(wasm: string): TestConfig {
  try {
    return JSON.parse(Deno.readTextFileSync(wasm.replace(/\.wasm$/, ".json")));
  } catch {
    return {};
  }
}

async function runOne(wasm: string): Promise<string | undefined> {
  const config = readConfig(wasm);
  const argv = ["run", "-A", main, "run"];
  for (const [name, value] of Object.entries(config.env ?? {})) {
    argv.push("--env", `${name}=${value}`);
  }
  if (config.root) {
    const root = join(dirname(wasm), config.root);
    cleanup(root);
    argv.push("--dir", `${root}::/`);
  }
  argv.push(wasm, ...(config.args ?? []));
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdin.close();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  if (config.root) cleanup(join(dirname(wasm), config.root));
  const out = new TextDecoder().decode(stdout);
  const expectedCode = config.exit_code ?? 0;
  const problems: string[] = [];
  if (code !== expectedCode) problems.push(`exit ${code}, expected ${expectedCode}`);
  if (config.stdout !== undefined && !out.startsWith(config.stdout)) {
    problems.push(
      `stdout ${JSON.stringify(out.slice(0, 80))}, expected ${JSON.stringify(config.stdout)}`,
    );
  }
  if (problems.length === 0) return undefined;
  const err = new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(" | ");
  return `${problems.join("; ")}${err ? ` — stderr: ${err.slice(0, 300)}` : ""}`;
}

if (import.meta.main) {
  const [suite, filter] = Deno.args;
  if (!suite) {
    console.error("usage: deno run -A scripts/wasi_testsuite.ts WASI_TESTSUITE_DIR [FILTER]");
    Deno.exit(2);
  }
  const tests = findTests(suite).filter((t) => !filter || t.includes(filter));
  let passed = 0;
  for (const wasm of tests) {
    const name = `${basename(dirname(dirname(dirname(wasm))))}/${basename(wasm, ".wasm")}`;
    const failure = await runOne(wasm);
    if (failure === undefined) passed++;
    console.log(
      `${failure === undefined ? "PASS" : "FAIL"} ${name}${failure ? `: ${failure}` : ""}`,
    );
  }
  console.log(`${passed}/${tests.length} passed`);
  Deno.exit(passed === tests.length ? 0 : 1);
}
