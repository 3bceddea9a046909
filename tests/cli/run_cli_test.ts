// `gvm run` writes to the process's own stdout (from its worker thread) and sets its exit
// status, so each test runs this file as a child program (the block at the end).
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { parseRunArgs } from "../../lib/cli/run_args.ts";
import { runWasm } from "../../lib/cli/run_cli.ts";
import { complain } from "../../lib/cli/output.ts";
import { exitStatusOf, formatError } from "../../lib/errors.ts";

const MODULES = new URL("../fixtures/examples", import.meta.url).pathname;
const FIXTURES = new URL("../fixtures", import.meta.url).pathname;

async function gvmRun(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, new URL(import.meta.url).pathname, ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("`runWasm()` runs a command module's _start and exits 0", async () => {
  assert.deepEqual(await gvmRun(`${MODULES}/math.wasm`), {
    code: 0,
    stdout: "Reponse from the math module...\n",
    stderr: "",
  });
});

Deno.test("`runWasm()` with --invoke prints the export's output, then each result on a line", async () => {
  assert.deepEqual(await gvmRun("--invoke", "add", `${MODULES}/math.wasm`, "40", "2"), {
    code: 0,
    stdout: "Adding Numbers From Wasm...\n42\n",
    stderr: "",
  });
  assert.equal((await gvmRun("--invoke", "fib", `${MODULES}/math.wasm`, "0x0a")).stdout, "55\n");
});

Deno.test("`runWasm()` fails with one coded line: missing file, invalid module, missing export, bad args", async () => {
  const missing = await gvmRun(`${FIXTURES}/nope.wasm`);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: MODULE_NOT_FOUND: Cannot read .*nope\.wasm/);
  const broken = await gvmRun(`${FIXTURES}/broken.wasm`);
  assert.match(
    broken.stderr,
    /^error: BAD_MODULE: .*broken\.wasm is not a valid WebAssembly module\n$/,
  );
  const noExport = await gvmRun("--invoke", "nope", `${MODULES}/math.wasm`);
  assert.match(noExport.stderr, /^error: EXPORT_NOT_FOUND: .* has no export named nope\n$/);
  const noStart = await gvmRun(`${FIXTURES}/mapwork.wasm`);
  assert.match(noStart.stderr, /^error: EXPORT_NOT_FOUND: .* has no _start or main; use --invoke/);
  const badArgs = await gvmRun("--invoke", "add", `${MODULES}/math.wasm`, "1");
  assert.match(badArgs.stderr, /^error: BAD_ARGS: /);
  for (const run of [broken, noExport, noStart, badArgs]) assert.equal(run.code, 1);
});

Deno.test("`runWasm()` stops a program past --timeout with TIMEOUT", async () => {
  const run = await gvmRun("--timeout", "0.2", `${FIXTURES}/spin.wasm`);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: TIMEOUT: .*spin\.wasm ran past its 0\.2 s limit\n$/);
});

Deno.test("`runWasm()` refuses a --dir that is not a folder with BAD_FLAGS", async () => {
  const run = await gvmRun("--dir", `${FIXTURES}/spin.wat`, `${MODULES}/math.wasm`);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: BAD_FLAGS: --dir .*spin\.wat: not a folder/);
});

if (import.meta.main) {
  try {
    Deno.exit(await runWasm(parseRunArgs(Deno.args)));
  } catch (error) {
    complain(formatError(error));
    Deno.exit(exitStatusOf(error));
  }
}
