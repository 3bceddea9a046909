// deno task soak [--seconds N] [--warmup N] [--calls N] [--peer-restart-ms N] [--trace]
//   [--v8-flags=FLAGS] [--node-flag=FLAG]...
//
// A bounded soak on 127.0.0.1: a GPMD and two nodes run as child processes in a temp GHOST_HOME,
// and a third node runs in this process. For --seconds (default 120), round after round:
//   - the in-process node connects to the survivor node (soak-a), makes --calls calls on it at
//     once (default 20) and disconnects: a fresh inbound link and calls every round;
//   - the survivor connects to the peer node (soak-b) through its prompt and runs a call there;
//   - a client asks GPMD for its status: a fresh GPMD connection every round.
// Beside the rounds, so that they land mid-call: GPMD is killed (SIGKILL) once, early, and
// started again on its port, and every node re-registers; every --peer-restart-ms (default
// 3000) the peer is killed and started again under its name.
//
// After --warmup seconds (default half the run) the resident memory (VmRSS) and open file
// descriptors of the survivor and of GPMD (its second life) are read from /proc, the rounds go
// on, and they are read again at the end. Growth beyond 20% in any of the four fails the run.
// A node's RSS rises in its first seconds (its heap and allocator settle), then stays flat; a
// leak goes on growing. --trace prints the readings every 5 s.
//
// The child processes run with V8's young generation capped (--v8-flags, default
// --max-semi-space-size=4, passed in DENO_V8_FLAGS; `--v8-flags=` for V8's own sizing). Left
// to itself, V8 doubles a semi-space each time the bytes surviving scavenges since the last
// doubling pass its size, up to 16 MiB: after a number of calls, not of seconds (measured on
// the survivor at 2 calls a round: 62 MiB at the start, 99 by ~1,000 rounds, 122 by ~2,500,
// then +50 MiB at ~7,000-8,500 rounds, then flat at ~180 MiB to 180 s, while its live heap
// after each full GC stayed at 9.3-9.6 MB), so no fixed warm-up lands after the last step.
// Capped, the steps end in the first seconds (the survivor is flat at 88-90 MiB from 10 s) and
// the measure is more sensitive; a leak grows old space or native memory, which the cap leaves
// alone. Checked with leaks put in the inline engine for the purpose (`--seconds 90 --warmup 20
// --calls 2 --peer-restart-ms 2000`): 1 KiB kept per call, 99.8 -> 132.5 MiB; every instance
// kept, 110.5 -> 245.4 MiB; both FAIL(grew:node-rss). Without them: 88.0 -> 88.9 MiB, PASS.
// --node-flag=FLAG adds a flag to the survivor (`--node-flag=--isolation=process`).
//
// The last line is the summary; the exit status is non-zero if a check failed. Calls that fail
// while the peer or GPMD is down are expected, counted by code, and do not fail the run.
import { GpmdClient, GvmError, GvmNode, homePaths, loadCookie } from "../mod.ts";
import { MODULES_DIR, tempHome, TestGpmd, TestNode } from "../tests/integration/_harness.ts";
import { growth, type ProcStats, procStats } from "./_proc_stats.ts";
import { wholeNumberOption } from "./_options.ts";

const TOLERANCE = 0.2;
/** Longest any one step (a call, a restart, a fence) may take before the soak calls it a hang. */
const STEP_TIMEOUT_MS = 30_000;

const option = (name: string, fallback: number) => wholeNumberOption("soak", name, fallback);

const SECONDS = option("seconds", 120);
const CALLS = option("calls", 20);
const PEER_RESTART_MS = option("peer-restart-ms", 3_000);
const WARMUP_MS = Math.min(SECONDS * 1000, option("warmup", Math.max(3, SECONDS / 2)) * 1000);
const TRACE = Deno.args.includes("--trace");
const V8_FLAGS = Deno.args.find((a) => a.startsWith("--v8-flags="))?.slice(11) ??
  "--max-semi-space-size=4";
const NODE_FLAGS = Deno.args.filter((a) => a.startsWith("--node-flag=")).map((a) => a.slice(12));
// Read by every process started from here on (GPMD, the nodes, their sandboxes), not by this one.
if (V8_FLAGS) Deno.env.set("DENO_V8_FLAGS", V8_FLAGS);

const counts = { rounds: 0, calls: 0, remoteRuns: 0, peerRestarts: 0, gpmdRestarts: 0 };
const failures = new Map<string, number>();

function failed(error: unknown): void {
  const code = error instanceof GvmError ? error.code : "OTHER";
  failures.set(code, (failures.get(code) ?? 0) + 1);
}

/** Resolves with `promise`, or rejects once `ms` have passed: no step may hang the soak. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`soak: ${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const int = (value: number) => ({ type: "int" as const, value: BigInt(value) });

await using home = await tempHome();
const cookie = await loadCookie(homePaths(home.path));
let gpmd = await TestGpmd.start(home.path);
const address = { host: "127.0.0.1", port: gpmd.port };
const nodeFlags = { name: "soak-a", extra: ["--workers", "1", ...NODE_FLAGS] };
await using survivor = await TestNode.start(home.path, gpmd.address, nodeFlags);
let peer = await startPeer();
await using caller = await GvmNode.start({
  name: "soak-d",
  gpmd: address,
  cookie,
  modulesDir: MODULES_DIR,
  workers: 1,
});

async function startPeer(): Promise<TestNode> {
  // The killed peer's registration ends with its socket; GPMD may not have seen that yet.
  for (let attempt = 0;; attempt++) {
    try {
      return await TestNode.start(home.path, gpmd.address, {
        name: "soak-b",
        extra: ["--workers", "1"],
      });
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

let fence = 0;
/** Sends `line` to the survivor's prompt and waits until it has been handled. */
async function prompt(line: string): Promise<string> {
  // The prompt handles lines in order: once a unique sum prints, `line` is done, however it went.
  const mark = 1_000_000 + ++fence;
  const from = survivor.stdout.text.length;
  await survivor.send(line);
  await survivor.send(`math.add(1000000,${fence})`);
  await survivor.stdout.waitFor(new RegExp(`^${mark}$`, "m"), from, STEP_TIMEOUT_MS);
  return survivor.stdout.text.slice(from);
}

async function untilRegistered(names: string[]): Promise<void> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  while (true) {
    try {
      await using client = await GpmdClient.connect({ address, cookie });
      const live = await client.discover();
      if (names.every((name) => live.includes(name))) return;
    } catch {
      // GPMD still starting.
    }
    if (performance.now() > deadline) throw new Error(`soak: ${names} did not re-register`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function round(i: number): Promise<void> {
  counts.rounds++;
  try {
    await within(caller.connect("soak-a"), STEP_TIMEOUT_MS, "connect to soak-a");
    // All at once on the one fresh link: calls overlap each other and the restarts.
    await Promise.all(Array.from({ length: CALLS }, async (_, k) => {
      const spec = { module: "math", fn: "add", args: [int(i), int(k)] };
      const got = await within(caller.run("soak-a", spec).result, STEP_TIMEOUT_MS, "a call");
      if (got.values[0] !== i + k) throw new Error(`soak: ${i}+${k} gave ${got.values[0]}`);
      counts.calls++;
    }));
  } catch (error) {
    if (!(error instanceof GvmError)) throw error;
    failed(error);
  } finally {
    if (caller.list().includes("soak-a")) caller.disconnect("soak-a");
  }
  const out = await prompt(`Node.connect(soak-b)\nNode.run(soak-b, math.add(${i},1))`);
  if (new RegExp(`^${i + 1}$`, "m").test(out)) counts.remoteRuns++;
  else failed(new GvmError("PEER_DOWN", "remote run failed"));
  try {
    await using client = await within(
      GpmdClient.connect({ address, cookie }),
      STEP_TIMEOUT_MS,
      "GPMD",
    );
    await within(client.status(), STEP_TIMEOUT_MS, "GPMD status");
  } catch (error) {
    failed(error);
  }
}

async function restartPeer(): Promise<void> {
  peer.kill();
  await peer.exit();
  peer = await startPeer();
  counts.peerRestarts++;
}

async function restartGpmd(): Promise<void> {
  gpmd.kill();
  await gpmd.exit();
  gpmd = await TestGpmd.start(home.path, address.port);
  counts.gpmdRestarts++;
  await untilRegistered(["soak-a", "soak-b", "soak-d"]);
}

async function readings(): Promise<{ node: ProcStats; gpmd: ProcStats }> {
  return { node: await procStats(survivor.child.pid), gpmd: await procStats(gpmd.child.pid) };
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)}MiB`;
}

const started = performance.now();
const end = started + SECONDS * 1000;
let before: { node: ProcStats; gpmd: ProcStats } | undefined;
let restarting = false;

// Kills and restarts run beside the rounds, so they land in the middle of calls.
async function chaos(): Promise<void> {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await pause(Math.min(1_000, WARMUP_MS / 3));
  restarting = true;
  await restartGpmd();
  restarting = false;
  while (performance.now() + PEER_RESTART_MS < end) {
    await pause(PEER_RESTART_MS);
    restarting = true;
    await restartPeer();
    restarting = false;
  }
}

const chaosDone = chaos();
let nextTrace = 0;
let i = 0;
while (performance.now() < end) {
  await round(i++);
  if (TRACE && performance.now() > nextTrace && !restarting) {
    nextTrace = performance.now() + 5_000;
    const r = await readings();
    const t = ((performance.now() - started) / 1000).toFixed(0);
    console.error(
      `soak: t=${t}s rounds=${counts.rounds} node-rss=${mib(r.node.rssKiB)} ` +
        `node-fds=${r.node.fds} gpmd-rss=${mib(r.gpmd.rssKiB)} gpmd-fds=${r.gpmd.fds}`,
    );
  }
  // Read only between restarts: GPMD is a new process after one, and links are being re-made.
  if (
    !before && !restarting && counts.gpmdRestarts > 0 && performance.now() - started >= WARMUP_MS
  ) {
    before = await readings();
  }
}
await chaosDone;
// One round after the last restart, so the links are as they were at the first reading.
await round(i++);
before ??= await readings();
const after = await readings();

const checks: [string, number, number][] = [
  ["node-rss", before.node.rssKiB, after.node.rssKiB],
  ["node-fds", before.node.fds, after.node.fds],
  ["gpmd-rss", before.gpmd.rssKiB, after.gpmd.rssKiB],
  ["gpmd-fds", before.gpmd.fds, after.gpmd.fds],
];
const grown = checks.filter(([, from, to]) => growth(from, to) > TOLERANCE).map(([name]) => name);
const errors = [...failures].map(([code, n]) => `${code}:${n}`).join(",") || "none";

peer.kill();
await peer.exit();
gpmd.kill();
await gpmd.exit();

console.log(
  `soak: seconds=${SECONDS} rounds=${counts.rounds} calls=${counts.calls} ` +
    `remote-runs=${counts.remoteRuns} peer-restarts=${counts.peerRestarts} ` +
    `gpmd-restarts=${counts.gpmdRestarts} failed=${errors} ` +
    `node-rss=${mib(before.node.rssKiB)}->${mib(after.node.rssKiB)} ` +
    `node-fds=${before.node.fds}->${after.node.fds} ` +
    `gpmd-rss=${mib(before.gpmd.rssKiB)}->${mib(after.gpmd.rssKiB)} ` +
    `gpmd-fds=${before.gpmd.fds}->${after.gpmd.fds} ` +
    `result=${grown.length === 0 ? "PASS" : `FAIL(grew:${grown.join(",")})`}`,
);
if (grown.length > 0) Deno.exitCode = 1;
