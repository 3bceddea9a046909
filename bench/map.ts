// Node.map figures for deno task bench: the speed-up of a CPU-bound batch on two nodes over one
// (each node pinned to its own CPU), and the scheduler's own cost per call.
import type { GvmNode } from "../lib/node/node.ts";
import { type MapHost, runMap } from "../lib/node/map.ts";
import { MapScheduler } from "../lib/node/map_scheduler.ts";
import type { CallArg } from "../lib/wasm/values.ts";
import { FIXTURES_DIR, TestNode } from "../tests/integration/_harness.ts";
import { summarize, type Summary } from "./stats.ts";

/** What {@linkcode benchMap} measured. */
export interface MapFigures {
  /** Wall time of the batch on one node, ms. */
  oneNode: Summary;
  /** Wall time of the same batch on two nodes, ms. */
  twoNodes: Summary;
  /** oneNode / twoNodes per repetition. */
  speedup: Summary;
  /** The batch, as the table names it. */
  batch: string;
  /** Whether the two nodes ran on two CPUs (taskset present, two CPUs or more). */
  pinned: boolean;
  /** MapScheduler.next + finish per call, in µs, over a batch of `tinyCalls`. */
  schedulerMicros: Summary;
  /** The whole runner per call with calls that finish at once (no wasm, no network), µs. */
  runnerMicros: Summary;
  tinyCalls: number;
}

/**
 * A node on `gpmd` with one sandbox, pinned to `cpu` when given (taskset): its sandbox processes
 * inherit the affinity, so the whole node stays on that CPU.
 */
function pinnedNode(cpu: number | undefined, home: string, gpmd: string): Promise<TestNode> {
  return TestNode.start(home, gpmd, {
    modules: FIXTURES_DIR,
    extra: ["--workers", "1"],
    prefix: cpu === undefined ? undefined : ["taskset", "-c", String(cpu)],
  });
}

// `nproc --all`: the machine's CPUs, whatever this process's affinity (navigator's count is the
// affinity's, 1 inside the pinned bench) and with no --allow-sys.
async function allCpus(): Promise<number> {
  const out = await new Deno.Command("nproc", { args: ["--all"], stdout: "piped" }).output();
  return out.success ? Number(new TextDecoder().decode(out.stdout).trim()) : 1;
}

/**
 * Runs the Node.map figures. `caller` only places calls (`local: false`): the work runs on two
 * node processes, one CPU each.
 */
export async function benchMap(options: {
  caller: GvmNode;
  home: string;
  gpmd: string;
  reps: number;
  quick: boolean;
  canPin: boolean;
}): Promise<MapFigures> {
  // All CPUs, not the ones this (maybe pinned) process may use: the nodes get their own.
  const pinned = options.canPin && await allCpus() >= 2;
  await using one = await pinnedNode(pinned ? 0 : undefined, options.home, options.gpmd);
  await using two = await pinnedNode(pinned ? 1 : undefined, options.home, options.gpmd);
  // The caller names the module by hash, as a user's node would: no store look-up per call.
  const callerModules = await Deno.realPath(options.caller.modulesDir);
  if (callerModules !== await Deno.realPath(FIXTURES_DIR)) {
    await Deno.copyFile(`${FIXTURES_DIR}/mapwork.wasm`, `${callerModules}/mapwork.wasm`);
  }
  await options.caller.connect(one.name);
  await options.caller.connect(two.name);

  const n = options.quick ? 24 : 37;
  const count = options.quick ? 4 : 12;
  const items: CallArg[][] = Array.from({ length: count }, () => [
    { type: "int", value: BigInt(n) },
  ]);
  const spec = { module: "mapwork", fn: "fib" };
  const batch = async (peers: string[]) => {
    const started = performance.now();
    for await (const r of options.caller.map(spec, items, { peers, local: false })) {
      if (r.error) throw r.error;
    }
    return performance.now() - started;
  };
  await batch([one.name, two.name]); // Ship the module and compile it on both.
  const oneNode: number[] = [];
  const twoNodes: number[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    oneNode.push(await batch([one.name]));
    twoNodes.push(await batch([one.name, two.name]));
  }
  options.caller.disconnect(one.name);
  options.caller.disconnect(two.name);

  const tinyCalls = 10_000;
  return {
    oneNode: summarize(oneNode),
    twoNodes: summarize(twoNodes),
    speedup: summarize(oneNode.map((t, i) => t / twoNodes[i])),
    batch: `${count} × fib(${n})`,
    pinned,
    schedulerMicros: summarize(
      Array.from({ length: options.reps }, () => schedulerMicrosPerCall(tinyCalls)),
    ),
    runnerMicros: summarize(await runnerReps(tinyCalls, options.reps)),
    tinyCalls,
  };
}

/** The scheduler alone: place and finish `calls` items over four nodes of four slots. */
function schedulerMicrosPerCall(calls: number): number {
  const scheduler = new MapScheduler(calls);
  for (let i = 0; i < 4; i++) scheduler.addNode(`node-${i}`, 4);
  const started = performance.now();
  for (let p = scheduler.next(); p; p = scheduler.next()) {
    // Each slot frees as soon as it is filled: the scheduler is asked once per call.
    scheduler.finish(p.node);
  }
  return (performance.now() - started) * 1000 / calls;
}

async function runnerReps(calls: number, reps: number): Promise<number[]> {
  const results: number[] = [];
  for (let rep = 0; rep < reps; rep++) results.push(await runnerMicrosPerCall(calls));
  return results;
}

/** The runner with calls that resolve at once: its bookkeeping and in-order hand-back per call. */
async function runnerMicrosPerCall(calls: number): Promise<number> {
  const done = { types: [], values: [] };
  const host: MapHost = {
    name: "local",
    capacity: 4,
    list: () => ["a", "b", "c"],
    peerCapacity: () => Promise.resolve(4),
    call: () => Promise.resolve(done),
    run: () => ({ result: Promise.resolve(done) }),
  };
  const items: CallArg[][] = Array.from({ length: calls }, () => []);
  const started = performance.now();
  for await (const _ of runMap(host, { module: "m", fn: "f" }, items)) {
    // Consume in order, as the prompt does.
  }
  return (performance.now() - started) * 1000 / calls;
}
