// Times one local call through WasmRuntime, inline and in a sandbox process, without GPMD or
// peers: the engine's own share of a call. `deno run -A bench/inline_probe.ts [calls]`
import { ModuleCatalog } from "../lib/wasm/catalog.ts";
import { type Isolation, WasmRuntime } from "../lib/wasm/runtime.ts";
import { SandboxPool } from "../lib/wasm/sandbox_pool.ts";
import { percentile } from "./stats.ts";

const CALLS = Number(Deno.args[0] ?? 20_000);
const modulesDir = new URL("../modules", import.meta.url).pathname;
const add = {
  module: "math",
  fn: "add",
  args: [{ type: "int" as const, value: 1n }, { type: "int" as const, value: 2n }],
};

for (const isolation of ["inline", "process"] as Isolation[]) {
  using pool = new SandboxPool({ size: 1 });
  const runtime = new WasmRuntime({ catalog: new ModuleCatalog({ modulesDir }), pool, isolation });
  const calls = isolation === "inline" ? CALLS : Math.min(CALLS, 2_000);
  for (let i = 0; i < calls / 10; i++) await runtime.call(add); // Compile and warm up.
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await runtime.call(add, { onOutput: () => {} });
    times.push((performance.now() - t0) * 1000);
  }
  const mean = (performance.now() - started) * 1000 / calls;
  times.sort((a, b) => a - b);
  console.log(
    `${isolation}: p50 ${percentile(times, 50).toFixed(1)} µs, p99 ${
      percentile(times, 99).toFixed(1)
    } µs, max ${(times.at(-1)! / 1000).toFixed(2)} ms, mean ${mean.toFixed(1)} µs`,
  );
}
