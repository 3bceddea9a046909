// deno task bench: every figure GVM promises, each a median with min–max over repetitions,
// printed as one table (and as JSON with --json PATH).
import { parseArgs } from "node:util";
import { RUN_PERMISSIONS } from "../lib/cli/self_command.ts";
import { GpmdClient } from "../lib/gpmd/client.ts";
import { homePaths } from "../lib/home.ts";
import { loadCookie } from "../lib/cookie.ts";
import { GvmNode } from "../lib/node/node.ts";
import type { CallArg } from "../lib/wasm/values.ts";
import { MODULES_DIR, tempHome, TestGpmd, TestNode } from "../tests/integration/_harness.ts";
import { paddedWasm } from "../tests/wasm/_wasm_bytes.ts";
import { haveErlang, runErlang } from "./erlang.ts";
import { formatSummary, percentile, summarize, type Summary } from "./stats.ts";
import { benchMap } from "./map.ts";
import { benchPrinting, type PrintingFigures } from "./printing.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "string" },
    quick: { type: "boolean" },
    "no-erlang": { type: "boolean" },
    "no-pin": { type: "boolean" },
  },
});
const QUICK = flags.quick ?? false;
const REPS = QUICK ? 2 : 5;
const SEQUENTIAL_CALLS = QUICK ? 200 : 10_000;
const THROUGHPUT_SECONDS = QUICK ? 0.3 : 5;
const IN_FLIGHT = 64;
const SCALE_NODES = QUICK ? 50 : 1_000;
const FIB_N = QUICK ? 20 : 35;
const LOOP_N = QUICK ? 100_000 : 100_000_000;
const BENCH_DIR = new URL(".", import.meta.url).pathname;

// Two processes on two CPUs pay cross-CPU wake-ups on every round trip; pin the whole bench
// (and so every child) to one CPU when taskset is there.
if (!flags["no-pin"] && !Deno.env.get("GVM_BENCH_PINNED") && await have("taskset")) {
  const out = await new Deno.Command("taskset", {
    args: [
      "-c",
      "0",
      Deno.execPath(),
      "run",
      ...RUN_PERMISSIONS,
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      ...Deno.args,
    ],
    env: { GVM_BENCH_PINNED: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(out.code);
}

interface Row {
  figure: string;
  unit: string;
  gvm: Summary | null;
  reference: string;
  target: string;
  met?: boolean;
  note?: string;
}

const rows: Row[] = [];
const int = (value: number | bigint): CallArg => ({ type: "int", value: BigInt(value) });
const progress = (text: string) => console.error(`bench: ${text}`);

async function have(command: string): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

async function repeat(times: number, run: () => Promise<number>): Promise<Summary> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return summarize(results);
}

await using home = await tempHome();
const mods = `${home.path}/mods`;
await Deno.mkdir(mods);
for (const file of ["math.wasm", "types.wasm"]) {
  await Deno.copyFile(`${MODULES_DIR}/${file}`, `${mods}/${file}`);
}
await Deno.copyFile(`${BENCH_DIR}/compute.wasm`, `${mods}/compute.wasm`);
const empty = `${home.path}/empty`;
await Deno.mkdir(empty);

progress("starting GPMD and nodes");
await using gpmd = await TestGpmd.start(home.path);
const cookie = await loadCookie(homePaths(home.path));
await using remote = await TestNode.start(home.path, gpmd.address, {
  modules: empty,
  name: "node-bench-b",
});
await using caller = await GvmNode.start({
  gpmd: { host: "127.0.0.1", port: gpmd.port },
  cookie,
  modulesDir: mods,
  name: "node-bench-a",
});
// The same node with --isolation process, for the local-overhead row of that mode.
await using callerProcess = await GvmNode.start({
  gpmd: { host: "127.0.0.1", port: gpmd.port },
  cookie,
  modulesDir: mods,
  name: "node-bench-p",
  isolation: "process",
});
await caller.connect(remote.name);
const add = { module: "math", fn: "add", args: [int(1), int(2)] };
for (let i = 0; i < 500; i++) await caller.run(remote.name, add).result; // Ship, compile, warm up.

progress(`remote call latency (${SEQUENTIAL_CALLS} sequential calls x ${REPS})`);
const p50s: number[] = [];
const p99s: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
    const t0 = performance.now();
    await caller.run(remote.name, add).result;
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  p50s.push(percentile(times, 50));
  p99s.push(percentile(times, 99));
}

progress(`remote throughput (${IN_FLIGHT} in flight, ${THROUGHPUT_SECONDS} s x ${REPS})`);
// Kept instances are a local library-API choice: a peer always runs a fresh one.
const remoteThroughput = () =>
  repeat(REPS, async () => {
    let done = 0;
    const end = performance.now() + THROUGHPUT_SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < end) {
        await caller.run(remote.name, add).result;
        done++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return done / ((performance.now() - started) / 1000);
  });
const throughput = await remoteThroughput();

progress("local call overhead");
const bare = await bareWasmCallMicros();
const localOverhead = (keepInstance: boolean, node = caller) =>
  repeat(REPS, async () => {
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
      const t0 = performance.now();
      await node.call(add, { keepInstance });
      times.push((performance.now() - t0) * 1000);
    }
    return percentile(times.sort((a, b) => a - b), 50) - bare;
  });
const local = await localOverhead(false);
const localKept = await localOverhead(true);
const localProcess = await localOverhead(false, callerProcess);

progress("compute: gvm vs native");
const compute: Record<string, { gvm: Summary; native: Summary | null }> = {};
const native = await nativeCompute();
for (const [fn, n] of [["fib", FIB_N], ["i64loop", LOOP_N], ["f64loop", LOOP_N]] as const) {
  await caller.call({ module: "compute", fn, args: [int(n)] }); // Compile and warm.
  const gvm = await repeat(REPS, async () => {
    const t0 = performance.now();
    await caller.call({ module: "compute", fn, args: [int(n)] });
    return performance.now() - t0;
  });
  compute[fn] = { gvm, native: native ? summarize(native.map((run) => run[fn])) : null };
}

progress("GPMD look-up and Node.connect");
await using lookupClient = await GpmdClient.connect({
  address: { host: "127.0.0.1", port: gpmd.port },
  cookie,
});
const lookup = await repeat(REPS, async () => {
  const times: number[] = [];
  for (let i = 0; i < (QUICK ? 50 : 1_000); i++) {
    const t0 = performance.now();
    await lookupClient.lookup(remote.name);
    times.push((performance.now() - t0) * 1000);
  }
  return percentile(times.sort((a, b) => a - b), 50);
});
const connect = await repeat(REPS, async () => {
  const times: number[] = [];
  for (let i = 0; i < (QUICK ? 5 : 50); i++) {
    caller.disconnect(remote.name);
    const t0 = performance.now();
    await caller.connect(remote.name);
    times.push(performance.now() - t0);
  }
  return percentile(times.sort((a, b) => a - b), 50);
});

progress("start-up");
const startup = await repeat(REPS, async () => {
  const t0 = performance.now();
  await using _node = await TestNode.start(home.path, gpmd.address, { modules: mods });
  return performance.now() - t0;
});

progress("memory of an idle node");
const rss = await repeat(REPS, async () => {
  await using node = await TestNode.start(home.path, gpmd.address, { modules: mods });
  await node.command("math.mul(2, 3)", /6\n/);
  return await rssMiB(node.child.pid);
});
// The node with every process it started, once idle: inline, its warm sandbox stops after 10 s
// unused (two repetitions: each waits for that; --quick does not wait).
const rssAll = await repeat(2, async () => {
  await using node = await TestNode.start(home.path, gpmd.address, { modules: mods });
  await node.command("math.mul(2, 3)", /6\n/);
  const wait = QUICK ? 0 : 15_000;
  for (let waited = 0; waited < wait && await hasChildren(node.child.pid); waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250)); // No event says a sandbox stopped.
  }
  return await treeRssMiB(node.child.pid);
});

progress(`scale: ${SCALE_NODES} registered nodes, discover`);
const scale = await scaleDiscover();
progress("Node.map: a CPU-bound batch on 1 node vs 2 (one CPU each), scheduler cost");
const mapped = await benchMap({
  caller,
  home: home.path,
  gpmd: gpmd.address,
  reps: REPS,
  quick: QUICK,
  canPin: !flags["no-pin"] && await have("taskset"),
});

progress("printing: 200,000 lines, gvm run beside node:wasi");
const printing = await benchPrinting(REPS);

progress("module shipping (5 MiB)");
const shipping = await repeat(REPS, async (rep = Math.random()) => {
  const bytes = paddedModule(await Deno.readFile(`${mods}/math.wasm`), 5 * 1024 * 1024, rep);
  await Deno.writeFile(`${mods}/big.wasm`, bytes);
  await caller.call({ module: "big", fn: "mul", args: [int(2), int(3)] }); // Load it locally first.
  const t0 = performance.now();
  await caller.run(remote.name, { module: "big", fn: "mul", args: [int(2), int(3)] }).result;
  return bytes.length / 1024 / 1024 / ((performance.now() - t0) / 1000);
});

// Module bodies travel in 512 KiB chunks, hashed as they arrive: the 20 MiB target.
progress("module shipping (20 MiB)");
const shipping20 = await repeat(REPS, async (rep = Math.random()) => {
  const bytes = paddedModule(await Deno.readFile(`${mods}/math.wasm`), 20 * 1024 * 1024, rep);
  await Deno.writeFile(`${mods}/big20.wasm`, bytes);
  await caller.call({ module: "big20", fn: "mul", args: [int(2), int(3)] }); // Local first.
  const t0 = performance.now();
  await caller.run(remote.name, { module: "big20", fn: "mul", args: [int(2), int(3)] }).result;
  return bytes.length / 1024 / 1024 / ((performance.now() - t0) / 1000);
});

let erlang: { p50: Summary; p99: Summary; rate: Summary } | null = null;
if (!flags["no-erlang"] && await haveErlang()) {
  progress("Erlang reference");
  const runs = [];
  for (let i = 0; i < REPS; i++) runs.push(await runErlang(SEQUENTIAL_CALLS, THROUGHPUT_SECONDS));
  erlang = {
    p50: summarize(runs.map((r) => r.p50us)),
    p99: summarize(runs.map((r) => r.p99us)),
    rate: summarize(runs.map((r) => r.callsPerSecond)),
  };
}

const p50 = summarize(p50s);
const p99 = summarize(p99s);

function versusErlang(gvm: Summary, ref: Summary | undefined, elsewhere: string, digits = 1) {
  if (!ref) return `Erlang ${elsewhere} (not installed here)`;
  return `Erlang ${formatSummary(ref, digits)} (gvm/erlang ${
    (gvm.median / ref.median).toFixed(2)
  })`;
}
function atMost(figure: string, unit: string, gvm: Summary, limit: number, reference: string): Row {
  return { figure, unit, gvm, reference, target: `≤ ${limit}`, met: gvm.median <= limit };
}
function atLeast(
  figure: string,
  unit: string,
  gvm: Summary,
  limit: number,
  reference: string,
): Row {
  return { figure, unit, gvm, reference, target: `≥ ${limit}`, met: gvm.median >= limit };
}
// Issue 10's remote targets are relative to Erlang in the same run (absolute without Erlang).
function relative(row: Row, ref: Summary | undefined, factor: number): Row {
  if (!ref || !row.gvm) return row;
  const most = row.target.startsWith("≤");
  const limit = ref.median * factor;
  return {
    ...row,
    target: `${most ? "≤" : "≥"} ${factor}× Erlang`,
    met: most ? row.gvm.median <= limit : row.gvm.median >= limit,
  };
}
function report(figure: string, unit: string, gvm: Summary, reference: string): Row {
  return { figure, unit, gvm, reference, target: "report" };
}
// Whole processes, start-up included, as a user running either sees them.
function printingRow({ gvm, node }: PrintingFigures): Row {
  const figure = "200k lines printed (gvm run vs node:wasi, whole process)";
  if (!node) return report(figure, "ms", gvm, "skipped: no node");
  const ratio = gvm.median / node.median;
  return {
    figure,
    unit: "ms",
    gvm,
    reference: `node:wasi ${formatSummary(node, 0)} ms → ${ratio.toFixed(2)}×`,
    target: "≤ 1.5×",
    met: ratio <= 1.5,
  };
}

const flight = `remote calls/s, ${IN_FLIGHT} in flight`;
const bareRef = `bare wasm call ${bare.toFixed(2)} µs`;
rows.push(
  relative(
    atMost("remote call p50", "µs", p50, 50, versusErlang(p50, erlang?.p50, "41")),
    erlang?.p50,
    1,
  ),
  relative(
    atMost("remote call p99", "µs", p99, 176, versusErlang(p99, erlang?.p99, "88")),
    erlang?.p99,
    2,
  ),
  relative(
    atLeast(
      flight,
      "calls/s",
      throughput,
      90_000,
      versusErlang(throughput, erlang?.rate, "46k/s", 0),
    ),
    erlang?.rate,
    2,
  ),
  atMost("local call overhead, fresh instance", "µs", local, 20, bareRef),
  atMost("local call overhead, kept instance", "µs", localKept, 25, bareRef),
  report("local call overhead, --isolation process", "µs", localProcess, bareRef),
);
const computeTargets: Record<string, number> = { fib: 1.6, i64loop: 1.05, f64loop: 1.05 };
for (const [fn, { gvm, native: nat }] of Object.entries(compute)) {
  const r = nat ? gvm.median / nat.median : NaN;
  rows.push({
    figure: `compute ${fn}(${fn === "fib" ? FIB_N : LOOP_N})`,
    unit: "ms",
    gvm,
    reference: nat ? `native ${formatSummary(nat)} → ${r.toFixed(2)}×` : "skipped: no clang",
    target: `≤ ${computeTargets[fn]}×`,
    met: nat ? r <= computeTargets[fn] : undefined,
  });
}
rows.push(
  atMost("GPMD look-up", "µs", lookup, 100, "EPMD 203"),
  atMost("Node.connect incl. handshake", "ms", connect, 1, "Erlang 1.5"),
  atMost("start-up to ready prompt (deno run)", "ms", startup, 60, "bare deno run 17"),
  atMost(`discover with ${SCALE_NODES} nodes`, "ms", scale, 5, "—"),
  report("RSS of an idle node", "MiB", rss, "—"),
  atMost("memory of an idle node, all its processes", "MiB", rssAll, 60, "—"),
  report("module shipping, 5 MiB", "MB/s", shipping, "raw TCP"),
  printingRow(printing),
  atLeast("module shipping, 20 MiB", "MB/s", shipping20, 300, "chunked, sha256 as it arrives"),
);

rows.push(
  atLeast(
    `Node.map ${mapped.batch}: 2 nodes vs 1${mapped.pinned ? ", one CPU each" : " (not pinned)"}`,
    "×",
    mapped.speedup,
    1.8,
    `1 node ${formatSummary(mapped.oneNode, 0)} ms, 2 nodes ${
      formatSummary(mapped.twoNodes, 0)
    } ms; least-disturbed runs ${(mapped.oneNode.min / mapped.twoNodes.min).toFixed(2)}×`,
  ),
  atMost(
    `Node.map scheduler cost, ${mapped.tinyCalls} tiny calls`,
    "µs/call",
    mapped.schedulerMicros,
    10,
    `${mapped.schedulerMicros.median.toFixed(3)} µs alone; whole runner with instant calls ${
      formatSummary(mapped.runnerMicros, 2)
    } µs`,
  ),
);

const pinned = Deno.env.get("GVM_BENCH_PINNED")
  ? "all processes pinned to CPU 0 with taskset"
  : "not pinned (no taskset)";
const lines = [
  `GVM bench — ${
    new Date().toISOString()
  } — ${Deno.build.target}, ${navigator.hardwareConcurrency} CPUs, ${pinned}${
    QUICK ? " — QUICK (tiny counts)" : ""
  }`,
  `Each figure: median (min–max) over ${REPS} repetitions.`,
  "",
  "| figure | gvm | unit | reference | target | met |",
  "|---|---|---|---|---|---|",
  ...rows.map((r) =>
    `| ${r.figure} | ${
      r.gvm ? formatSummary(r.gvm, r.unit === "calls/s" ? 0 : r.unit === "ms" ? 2 : 1) : "—"
    } | ${r.unit} | ${r.reference} | ${r.target} | ${
      r.met === undefined ? "" : r.met ? "yes" : "no"
    } |`
  ),
];
console.log(lines.join("\n"));
if (flags.json) {
  await Deno.writeTextFile(
    flags.json,
    JSON.stringify(
      { date: new Date().toISOString(), quick: QUICK, pinned, rows, erlang },
      null,
      2,
    ) + "\n",
  );
}
caller.close();

async function bareWasmCallMicros(): Promise<number> {
  const module = await WebAssembly.compile(await Deno.readFile(`${mods}/math.wasm`));
  const linked: { memory?: WebAssembly.Memory } = {};
  const instance = await WebAssembly.instantiate(module, {
    wasi_snapshot_preview1: {
      fd_write: (_fd: number, _iovs: number, _n: number, written: number) => {
        new DataView(linked.memory!.buffer).setUint32(written, 0, true);
        return 0;
      },
    },
  });
  linked.memory = instance.exports.memory as WebAssembly.Memory;
  const addFn = instance.exports.add as (a: number, b: number) => number;
  const n = QUICK ? 10_000 : 1_000_000;
  for (let i = 0; i < n; i++) addFn(1, 2);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) addFn(1, 2);
  return (performance.now() - t0) * 1000 / n;
}

async function nativeCompute(): Promise<Record<string, number>[] | null> {
  if (!await have("clang")) return null;
  const exe = `${home.path}/compute_native`;
  const build = await new Deno.Command("clang", {
    args: ["-O2", "-o", exe, `${BENCH_DIR}/compute_native.c`],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!build.success) return null;
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    const out = await new Deno.Command(exe, {
      args: [String(FIB_N), String(LOOP_N)],
      stdout: "piped",
    }).output();
    runs.push(JSON.parse(new TextDecoder().decode(out.stdout)));
  }
  return runs;
}

async function rssMiB(pid: number): Promise<number> {
  // ps rather than /proc, which Deno grants only with --allow-all.
  const out = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
  })
    .output();
  return Number(new TextDecoder().decode(out.stdout).trim()) / 1024;
}

async function hasChildren(pid: number): Promise<boolean> {
  const out = await new Deno.Command("ps", { args: ["--ppid", String(pid), "-o", "pid="] })
    .output();
  return new TextDecoder().decode(out.stdout).trim() !== "";
}

// RSS of `pid` and its descendants (a node and its sandbox processes).
async function treeRssMiB(pid: number): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,ppid=,rss="], stdout: "piped" })
    .output();
  const rows = new TextDecoder().decode(out.stdout).trim().split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of rows) {
      if (tree.has(parent) && !tree.has(child)) grew = tree.add(child) !== undefined;
    }
  }
  return rows.filter(([p]) => tree.has(p)).reduce((sum, [, , kib]) => sum + kib, 0) / 1024;
}

async function scaleDiscover(): Promise<Summary> {
  // A second GPMD needs a module store of its own (one GPMD per GHOST_HOME); same cookie.
  await using scaleHome = await tempHome();
  await Deno.copyFile(`${home.path}/cookie`, `${scaleHome.path}/cookie`);
  await using scaleGpmd = await TestGpmd.start(scaleHome.path);
  const address = { host: "127.0.0.1", port: scaleGpmd.port };
  const clients: GpmdClient[] = [];
  try {
    for (let i = 0; i < SCALE_NODES; i++) {
      const client = await GpmdClient.connect({ address, cookie });
      await client.register({
        name: `node-s${i}`,
        id: crypto.randomUUID(),
        host: "127.0.0.1",
        port: 10_000 + i,
      });
      clients.push(client);
    }
    return await repeat(REPS, async () => {
      const t0 = performance.now();
      const names = await clients[0].discover();
      if (names.length !== SCALE_NODES) throw new Error(`discover saw ${names.length} nodes`);
      return performance.now() - t0;
    });
  } finally {
    for (const client of clients) client.close();
  }
}

// math.wasm plus a custom section, so the module is `size` bytes and its hash is new each time.
function paddedModule(base: Uint8Array, size: number, salt: number): Uint8Array {
  const { bytes, padding } = paddedWasm(base, size);
  crypto.getRandomValues(padding.subarray(0, 65536));
  bytes[bytes.length - 1] = Math.floor(salt * 255);
  return bytes;
}
