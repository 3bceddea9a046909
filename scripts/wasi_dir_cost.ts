// Measures what a mapped folder's size costs a call: the same call (files.wasm reading one small
// file and writing another in the folder) with an empty folder and with one holding 100 MB of
// files. Folders are used in place, so both should cost the same.
//
//   deno run -A scripts/wasi_dir_cost.ts [CALLS]
import { ModuleCatalog } from "../lib/wasm/catalog.ts";
import { SandboxPool } from "../lib/wasm/sandbox_pool.ts";
import { WasmRuntime } from "../lib/wasm/runtime.ts";

const FIXTURES = new URL("../tests/fixtures", import.meta.url).pathname;
const calls = Number(Deno.args[0] ?? 50);

async function folder(megabytes: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "gvm-dir-cost-" });
  await Deno.writeTextFile(`${dir}/in.txt`, "hello\n");
  const chunk = new Uint8Array(1024 * 1024).fill(7);
  for (let i = 0; i < megabytes; i++) {
    await Deno.mkdir(`${dir}/d${i % 10}`, { recursive: true });
    await Deno.writeFile(`${dir}/d${i % 10}/f${i}.bin`, chunk);
  }
  return dir;
}

async function measure(dir: string): Promise<number[]> {
  const dirs = [{ host: dir, guest: "/data" }];
  using pool = new SandboxPool({ size: 1, dirs });
  const runtime = new WasmRuntime({
    catalog: new ModuleCatalog({ modulesDir: FIXTURES }),
    pool,
    dirs,
  });
  const spec = {
    module: "files",
    args: [
      { type: "string" as const, value: "/data/in.txt" },
      { type: "string" as const, value: "/data/out.txt" },
    ],
  };
  await runtime.call(spec); // The sandbox's start and the compile are not what is measured.
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await runtime.call(spec);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

function summary(label: string, times: number[]): string {
  const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return `${label}: median ${pick(0.5).toFixed(2)} ms, p90 ${
    pick(0.9).toFixed(2)
  } ms (${times.length} calls)`;
}

const empty = await folder(0);
const full = await folder(100);
try {
  console.log(summary("empty folder  ", await measure(empty)));
  console.log(summary("100 MB folder ", await measure(full)));
} finally {
  await Deno.remove(empty, { recursive: true });
  await Deno.remove(full, { recursive: true });
}
