// The worker `gvm run` runs a module on, driven here as runWasm drives it: one job in, one
// outcome out.
import assert from "node:assert/strict";
import type { RunJob, RunOutcome } from "../../lib/cli/run_worker.ts";
import { readModule } from "../../lib/wasm/module_reader.ts";
import { moduleInfo } from "../../lib/wasm/signatures.ts";
import { toWasmParams } from "../../lib/wasm/values.ts";

const WORKER = new URL("../../lib/cli/run_worker.ts", import.meta.url);
const MODULES = new URL("../fixtures/examples/", import.meta.url);

async function runJob(job: RunJob): Promise<RunOutcome> {
  const worker = new Worker(WORKER, { type: "module" });
  try {
    return await new Promise<RunOutcome>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<RunOutcome>) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
      worker.postMessage(job);
    });
  } finally {
    worker.terminate();
  }
}

function exportJob(module: string, fn: string, args: bigint[]): RunJob {
  const bytes = Deno.readFileSync(new URL(`${module}.wasm`, MODULES));
  const read = readModule(bytes);
  const sig = moduleInfo(read).functions.get(fn)!;
  const params = toWasmParams(fn, sig, args.map((value) => ({ type: "int", value })));
  return {
    bytes,
    imports: read.imports,
    request: {
      type: "run",
      moduleName: module,
      entry: { kind: "export", fn, params },
      env: [],
      maxPages: 16,
      dirs: [],
    },
  };
}

Deno.test("run worker: an export's values come back as the outcome", async () => {
  assert.deepEqual(await runJob(exportJob("math", "sub", [50n, 8n])), { ok: true, values: [42] });
  assert.deepEqual(await runJob(exportJob("math", "fib", [10n])), { ok: true, values: [55n] });
});

Deno.test("run worker: a trap comes back as a coded failure, not a crash", async () => {
  const outcome = await runJob(exportJob("math", "div", [1n, 0n]));
  assert.equal(outcome.ok, false);
  assert.equal((outcome as { code: string }).code, "TRAP");
});

// runWasm validates the bytes first, so this is a failure it never shows a user.
Deno.test("run worker: bytes that are not a module come back as INTERNAL, not a crash", async () => {
  const job = exportJob("math", "sub", [1n, 1n]);
  const outcome = await runJob({ ...job, bytes: new Uint8Array([0, 97, 115, 109, 9]) });
  assert.equal(outcome.ok, false);
  assert.equal((outcome as { code: string }).code, "INTERNAL");
});
