// Faults under load: 2,000 calls in flight from an in-process node to three child-process peers
// while one peer is SIGKILLed and GPMD is killed and restarted on the same port. Every call must
// end (right value, or a clear network error code), none may hang, and the survivors go on.
import assert from "node:assert/strict";
import { type CallSpec, GvmError, GvmNode } from "../../mod.ts";
import { FIXTURES_DIR, MODULES_DIR, tempHome, TestGpmd, TestNode } from "./_harness.ts";

const CALLS = 2_000;
const GLOBAL_DEADLINE_MS = 60_000;
/** The codes a call may fail with when its peer or GPMD dies under it. */
const NETWORK_CODES = ["PEER_DOWN", "TIMEOUT", "CANCELLED", "NOT_CONNECTED"];

type Outcome = { ok: true } | { ok: false; code: string; message: string };

/** Runs `probe` until `done` holds; fails after `timeoutMs`. Only where no event exists. */
async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await probe().catch((error) => error as T);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test("2,000 calls in flight survive a SIGKILLed peer and a GPMD restart", async () => {
  await using home = await tempHome();
  const mods = `${home.path}/mods`;
  await Deno.mkdir(mods);
  await Deno.copyFile(`${MODULES_DIR}/math.wasm`, `${mods}/math.wasm`);
  await Deno.copyFile(`${FIXTURES_DIR}/spin.wasm`, `${mods}/spin.wasm`);

  let restarted: TestGpmd | undefined;
  await using _restarted = {
    [Symbol.asyncDispose]: async () => await restarted?.[Symbol.asyncDispose](),
  };
  await using gpmd = await TestGpmd.start(home.path);
  const port = gpmd.port;
  const nodes: TestNode[] = [];
  await using _nodes = {
    [Symbol.asyncDispose]: async () => {
      await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
    },
  };
  for (let i = 0; i < 3; i++) {
    nodes.push(await TestNode.start(home.path, gpmd.address, { modules: mods }));
  }
  const [b, c, victim] = nodes;
  await using caller = await GvmNode.start({
    gpmd: { host: "127.0.0.1", port },
    cookie: (await Deno.readTextFile(`${home.path}/cookie`)).trim(),
    modulesDir: mods,
    workers: 1,
  });
  for (const node of nodes) assert.equal(await caller.connect(node.name), node.name);

  // Faults fire from the results themselves: once enough calls have ended, mid-run.
  let settled = 0;
  let victimKilled!: () => void;
  const killVictim = new Promise<void>((resolve) => victimKilled = resolve);
  let gpmdKilled!: () => void;
  const killGpmd = new Promise<void>((resolve) => gpmdKilled = resolve);

  const calls: { peer: TestNode; outcome: Promise<Outcome> }[] = [];
  const launch = (i: number) => {
    const peer = nodes[i % nodes.length];
    const add = i % 2 === 0;
    const spec: CallSpec = add
      ? {
        module: "math",
        fn: "add",
        args: [{ type: "int", value: BigInt(i) }, { type: "int", value: 1n }],
      }
      : { module: "spin", fn: "count", args: [{ type: "int", value: 100_000n }] };
    const expected = add ? i + 1 : 100_000;
    const outcome = (async (): Promise<Outcome> => {
      try {
        // run() throws at once (NOT_CONNECTED) for a peer already dropped: count that too.
        const { values } = await caller.run(peer.name, spec).result;
        assert.deepEqual(values, [expected], `${peer.name} ${spec.module}.${spec.fn}`);
        return { ok: true };
      } catch (error) {
        if (!(error instanceof GvmError)) throw error;
        return { ok: false, code: error.code, message: error.message };
      } finally {
        settled++;
        if (settled === 200) victimKilled();
        if (settled === 400) gpmdKilled();
      }
    })();
    calls.push({ peer, outcome });
  };

  const started = performance.now();
  // Most calls go out at once; the rest right after the SIGKILL, while the caller may or may
  // not have noticed it yet.
  const SECOND_WAVE = 300;
  for (let i = 0; i < CALLS - SECOND_WAVE; i++) launch(i);
  let secondWaveOut!: () => void;
  const secondWave = new Promise<void>((resolve) => secondWaveOut = resolve);
  const faults = (async () => {
    await killVictim;
    victim.kill("SIGKILL");
    for (let i = CALLS - SECOND_WAVE; i < CALLS; i++) launch(i);
    secondWaveOut();
    await killGpmd;
    gpmd.kill("SIGKILL");
    await gpmd.exit();
    restarted = await TestGpmd.start(home.path, port);
  })();
  const allSettled = (async () => {
    await secondWave;
    return await Promise.all(calls.map((call) => call.outcome));
  })();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${CALLS - settled} of ${CALLS} calls still pending after 60 s`)),
      GLOBAL_DEADLINE_MS,
    );
  });
  let outcomes: Outcome[];
  try {
    outcomes = await Promise.race([allSettled, deadline]);
    await Promise.race([faults, deadline]);
  } finally {
    clearTimeout(timer);
  }
  const elapsed = performance.now() - started;

  const counts: Record<string, number> = { ok: 0 };
  for (const outcome of outcomes) {
    const key = outcome.ok ? "ok" : outcome.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  console.log(
    `faults under load: ${CALLS} calls in ${Math.round(elapsed)} ms: ${
      Object.entries(counts).map(([key, n]) => `${key}=${n}`).join(" ")
    }`,
  );

  outcomes.forEach((outcome, i) => {
    if (outcome.ok) return;
    assert.ok(
      NETWORK_CODES.includes(outcome.code),
      `call ${i} failed with ${outcome.code}: ${outcome.message}`,
    );
    // A fault on one peer must not leak into calls on the others.
    assert.equal(calls[i].peer, victim, `call ${i} on ${calls[i].peer.name}: ${outcome.code}`);
  });
  const victimFailures = outcomes.filter((o, i) => !o.ok && calls[i].peer === victim).length;
  assert.ok(victimFailures > 0, "the victim was killed while its calls were in flight");

  // The survivors keep working: new calls succeed, the dead peer is gone from the list...
  for (const peer of [b, c]) {
    const { values } = await caller.run(peer.name, {
      module: "math",
      fn: "mul",
      args: [{ type: "int", value: 6n }, { type: "int", value: 7n }],
    }).result;
    assert.deepEqual(values, [42]);
  }
  assert.deepEqual(caller.list().sort(), [b.name, c.name].sort());

  // ...and everyone still alive re-registers with the restarted GPMD (a retry loop, so poll).
  const survivors = [caller.name, b.name, c.name].sort().join(",");
  await pollUntil(
    "the survivors to re-register",
    async () => (await caller.discover()).sort().join(","),
    (names) => names === survivors,
  );
  const fromB = await b.command("Node.discover()", "\n");
  assert.equal(fromB.trim().split(",").sort().join(","), survivors);
  // A survivor can look up and reach another one through the restarted GPMD.
  assert.equal(await b.command(`Node.connect(${c.name})`, "\n"), `${c.name}\n`);
  assert.match(await b.command(`Node.run(${c.name}, spin.count(5))`, /\n5\n/), /^ID: .*\n5\n$/);
});
