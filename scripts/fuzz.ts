// deno task fuzz [--seed N] [--connections N] [--concurrency N] [--warmup N]
//
// A bounded, seeded wire fuzzer: a GPMD and a node run in this process (library API) on
// 127.0.0.1, and N connections (at most --concurrency at once) send them mutated valid frames:
// bit flips, truncation, corrupt length fields, duplicated and spliced frames, random field
// values, huge numbers, deep nesting, long strings. Half the connections pass the cookie
// handshake first (and, at the node, join), so the dispatch behind it is fuzzed too.
//
// Afterwards both must still answer (discover; math.add on the node, locally and from a peer),
// no connection may have hung, nothing may have escaped as an unhandled error, and the heap after
// a full GC must be within 20% of what it was before (measured after --warmup connections, so
// what the JIT and V8's type feedback keep is not mistaken for a leak). Replies with code INTERNAL
// (an exception nobody expected: a server bug, whatever the input) are counted and shown as
// problems, but do not fail the run: whether a reply is read before its connection closes is a
// matter of timing, so a verdict on them would not be the same for the same seed.
//
// The last line is the summary; the exit status is non-zero if any check failed. The same seed
// sends the same bytes (what comes back may differ with timing).
import { GpmdClient, GpmdServer, GvmNode, homePaths } from "../mod.ts";
import {
  concat,
  frame,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  pack,
  RawClient,
  withLength,
} from "../tests/integration/_raw_wire.ts";
import { encodeArgs } from "../lib/protocol/wasm_values.ts";
import { wholeNumberOption } from "./_options.ts";

const MODULES_DIR = new URL("../modules", import.meta.url).pathname;
const COOKIE = "fuzz-cookie-not-secret";
const HEAP_TOLERANCE = 0.2;
/** A connection whose server has not hung up this long after our end of input is a hang. */
const HANG_MS = 10_000;

// ---- Options ---------------------------------------------------------------------------------

const option = (name: string, fallback: number) => wholeNumberOption("fuzz", name, fallback);

const SEED = option("seed", Math.floor(Math.random() * 2 ** 31));
const CONNECTIONS = option("connections", 10_000);
const CONCURRENCY = Math.max(1, option("concurrency", 32));
/** Connections before the heap baseline: the JIT and V8's feedback settle in these. */
const WARMUP = option("warmup", 1_000);

// ---- Seeded randomness -----------------------------------------------------------------------

type Rng = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The generator for connection `i`: independent of scheduling, so a seed replays exactly. */
function rngFor(i: number, stream: number): Rng {
  return mulberry32(
    Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35) ^ stream,
  );
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)];
const hex = (r: Rng, digits: number) =>
  Array.from({ length: digits }, () => "0123456789abcdef"[int(r, 16)]).join("");
/** A UUID v4 and a handshake nonce from the seeded generator, so a seed replays byte for byte. */
const uuid = (r: Rng) =>
  `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${"89ab"[int(r, 4)]}${hex(r, 3)}-${hex(r, 12)}`;
const nonce = (r: Rng) => hex(r, 32);

// ---- Valid messages, and random values to put in them -----------------------------------------

const TYPES = [
  "hello",
  "challenge",
  "auth",
  "welcome",
  "error",
  "hb",
  "reply",
  "register",
  "discover",
  "lookup",
  "status",
  "module.put",
  "module.list",
  "module.get",
  "join",
  "call",
  "cancel",
  "module.need",
  "ping",
  "out",
  "chunk",
  "module.part",
  "invalid",
  "__proto__",
  "constructor",
  "toString",
  "",
];

const SHA = "a".repeat(64);
const NOT_WASM = new TextEncoder().encode("\0asm\x01\0\0\0 this is not a module");

function randomString(r: Rng): string {
  switch (int(r, 9)) {
    case 0:
      return "";
    case 1:
      return "x".repeat(int(r, 2) ? 100_000 + int(r, 100_000) : 1_000_000 + int(r, 1_000_000));
    case 2:
      return '\u00e9\u4e2d\u{1f600}\ud800\udfff\u0000\n"\\';
    case 3:
      return "../../../etc/passwd";
    case 4:
      return pick(r, ["__proto__", "constructor", "prototype", "hasOwnProperty"]);
    case 5:
      return pick(r, TYPES);
    case 6:
      return nonce(r);
    case 7:
      return pick(r, ["math", "hello", "types", "add", "mul", "div", "sub", "node-1234"]);
    default:
      return Array.from({ length: int(r, 24) }, () => String.fromCharCode(32 + int(r, 95))).join(
        "",
      );
  }
}

function randomValue(r: Rng, depth = 0): unknown {
  switch (int(r, depth > 2 ? 7 : 10)) {
    case 0:
      return int(r, 100) - 50;
    case 1:
      return pick(r, [2 ** 53 + 1, -(2 ** 63), 2 ** 64, 1e308, -1e308, 5e-324, 0.5, -0, 65_536]);
    case 2:
      return randomString(r);
    case 3:
      return null;
    case 4:
      return r() < 0.5;
    case 5:
      return int(r, 2 ** 32);
    case 6:
      return pick<unknown>(r, [
        1,
        0,
        -1,
        4_294_967_295,
        Number.MAX_SAFE_INTEGER,
        NaN,
        -Infinity,
        2n ** 63n - 1n,
        -(2n ** 63n),
        new Uint8Array(int(r, 64)).map(() => int(r, 256)),
      ]);
    case 7:
      return Array.from({ length: int(r, 5) }, () => randomValue(r, depth + 1));
    case 8: {
      const out: Record<string, unknown> = {};
      for (let i = int(r, 4); i > 0; i--) {
        out[randomString(r).slice(0, 16)] = randomValue(r, depth + 1);
      }
      return out;
    }
    default:
      return { type: pick(r, ["int", "float", "string", "i64"]), value: randomValue(r, depth + 1) };
  }
}

type Json = Record<string, unknown>;

function gpmdMessage(r: Rng, id: number): Json {
  return pick<() => Json>(r, [
    () => ({ t: "discover", id }),
    () => ({ t: "lookup", id, name: pick(r, ["node-fuzz", "node-0000", "x"]) }),
    () => ({ t: "status", id }),
    () => ({
      t: "register",
      id,
      name: `node-f${int(r, 100_000)}`,
      nodeId: uuid(r),
      host: "127.0.0.1",
      port: 1 + int(r, 65_535),
    }),
    () => ({ t: "module.list", id }),
    () => ({ t: "module.get", id, name: pick(r, ["math", "nothere", "fuzz"]) }),
    () => ({ t: "module.get", id, sha256: SHA }),
    () => ({ t: "module.get", id, name: "math", version: pick(r, ["v0.0.1", "constructor"]) }),
    () => ({ t: "module.part", upload: 1 + int(r, 3), data: NOT_WASM }),
    () => ({
      t: "module.put",
      id,
      upload: 1 + int(r, 3),
      name: "fuzz",
      version: "v0.0.1",
      size: pick(r, [NOT_WASM.length, 0, 1 << 30]),
      sha256: SHA,
    }),
    () => ({ t: "module.get", id, name: "math", head: true }),
    () => ({ t: "hb" }),
    () => ({ t: "reply", id, ok: true }),
  ])();
}

function nodeMessage(r: Rng, id: number): Json {
  const args = r() < 0.9
    ? encodeArgs(
      Array.from({ length: int(r, 4) }, () => ({ type: "int", value: BigInt(int(r, 1000) - 500) })),
    )
    : new Uint8Array(int(r, 32)).map(() => int(r, 256)); // Not a value encoding at all.
  return pick<() => Json>(r, [
    () => ({
      t: "call",
      id,
      callId: uuid(r),
      module: "math",
      fn: pick(r, ["add", "sub", "mul", "div"]),
      args,
      timeoutMs: pick(r, [1, 100, 2_000]),
    }),
    () => ({ t: "call", id, callId: uuid(r), module: "hello", args: new Uint8Array(0) }),
    () => ({
      t: "call",
      id,
      callId: uuid(r),
      module: "types",
      fn: pick(r, ["add64", "addf", "greet", "pair"]),
      args: encodeArgs([{ type: "string", value: "fuzz" }]),
    }),
    () => ({ t: "call", id, callId: uuid(r), module: "math", fn: "add", sha256: SHA }),
    () => ({ t: "cancel", callId: uuid(r) }),
    () => ({ t: "module.need", id, sha256: SHA }),
    () => ({ t: "ping", id }),
    () => ({ t: "join", id, name: `node-j${int(r, 100_000)}`, nodeId: uuid(r) }),
    () => ({ t: "out", re: id, fd: 1, data: new Uint8Array([104, 105]) }),
    () => ({ t: "chunk", re: id, data: new Uint8Array([0, 97, 115, 109]) }),
    () => ({ t: "hb" }),
  ])();
}

function handshakeMessage(r: Rng): Json {
  return pick<() => Json>(r, [
    () => ({ t: "hello", v: 1, nonce: nonce(r) }),
    () => ({ t: "auth", proof: "0".repeat(64) }),
    () => ({ t: "hello", v: pick(r, [0, 2, "1", null]), nonce: nonce(r) }),
  ])();
}

// ---- Mutations --------------------------------------------------------------------------------

function mutateMessage(r: Rng, message: Json): Uint8Array {
  const keys = Object.keys(message);
  const op = int(r, 6);
  if (op === 0) message[pick(r, [...keys, "t", "id", "extra"])] = randomValue(r);
  if (op === 1) message.t = r() < 0.7 ? pick(r, TYPES) : randomString(r);
  if (op === 2) message.id = randomValue(r);
  if (op === 3) {
    // Numbers at the edges of what MessagePack carries: floats past integer range, -0, NaN,
    // 64-bit integers where 32-bit ones belong.
    const key = pick(r, keys);
    message[key] = pick<unknown>(r, [Infinity, -Infinity, NaN, -0, 2n ** 64n - 1n, 1e300, 0.5]);
  }
  if (op === 4) {
    // Nesting deeper than the encoder writes: patch the bytes of a last field by hand.
    const depth = pick(r, [64, 1_000, 10_000, 100_000]);
    const bytes = pack({ ...message, deep: 0 }); // Ends with the value 0 (one byte, 0x00).
    const nested = new Uint8Array(depth + 1).fill(0x91); // Arrays of one element ...
    nested[depth] = 0x90; // ... around an empty one.
    return concat(bytes.subarray(0, bytes.length - 1), nested);
  }
  if (op === 5) message.pad = "y".repeat(int(r, 3_000_000));
  return pack(message);
}

/** One frame on the wire, mutated at the byte level too (flips, length field, truncation). */
function mutateFrame(r: Rng, payload: Uint8Array, last: boolean): Uint8Array {
  let bytes = frame(payload);
  const op = int(r, 10);
  if (op === 0 && payload.length > 0) {
    bytes = bytes.slice();
    for (let flips = 1 + int(r, 8); flips > 0; flips--) {
      const at = HEADER_BYTES + int(r, payload.length);
      bytes[at] ^= 1 << int(r, 8);
    }
  } else if (op === 1) {
    const length = pick(r, [
      0,
      1,
      payload.length - 1,
      payload.length + 1,
      MAX_FRAME_BYTES,
      MAX_FRAME_BYTES + 1,
      0xffff_ffff,
      int(r, 2 ** 32),
    ]);
    bytes = withLength(payload, length);
  } else if (op === 2 && last) {
    bytes = bytes.slice(0, int(r, bytes.length));
  } else if (op === 3) {
    bytes = concat(...Array.from({ length: 2 + int(r, 4) }, () => bytes));
  }
  return bytes;
}

/** Never ask the fuzzed GPMD to stop: that is a legitimate request, not a fault. */
function defuse(bytes: Uint8Array): Uint8Array {
  // MessagePack strings are raw UTF-8: "stop" as a type is the bytes s, t, o, p.
  const out = bytes.slice();
  for (let i = 0; i + 3 < out.length; i++) {
    if (out[i] === 0x73 && out[i + 1] === 0x74 && out[i + 2] === 0x6f && out[i + 3] === 0x70) {
      out[i + 2] = 0x75; // "stup"
    }
  }
  return out;
}

// ---- One fuzzed connection --------------------------------------------------------------------

const stats = {
  tried: 0,
  authenticated: 0,
  handshakeFailures: 0,
  frames: 0,
  bytes: 0,
  serverClosedFirst: 0,
  errorReplies: 0,
  internalErrors: 0,
  okReplies: 0,
  writeFailures: 0,
  hangs: 0,
  resets: 0,
};
const problems: string[] = [];

async function fuzzConnection(
  i: number,
  stream: number,
  targets: { gpmd: number; node: number },
): Promise<void> {
  const r = rngFor(i, stream);
  const atGpmd = r() < 0.5;
  const authenticate = i % 2 === 0;
  stats.tried++;
  await using raw = await RawClient.connect(atGpmd ? targets.gpmd : targets.node);
  if (authenticate) {
    try {
      await raw.handshake(COOKIE);
      if (!atGpmd) {
        await raw.send({ t: "join", id: 1, name: `node-fz${i}`, nodeId: crypto.randomUUID() });
        const reply = await raw.readFrame(HANG_MS);
        if (reply?.message?.ok !== true) throw new Error(`join refused: ${reply?.message?.code}`);
      }
      stats.authenticated++;
    } catch (error) {
      stats.handshakeFailures++;
      problems.push(`connection ${i}: an honest handshake failed: ${(error as Error).message}`);
      return;
    }
  }

  const parts: Uint8Array[] = [];
  const count = 1 + int(r, 6);
  for (let f = 0; f < count; f++) {
    const id = 2 + f;
    const message = !authenticate && r() < 0.4
      ? handshakeMessage(r)
      : atGpmd
      ? gpmdMessage(r, id)
      : nodeMessage(r, id);
    const payload = r() < 0.8 ? mutateMessage(r, message) : pack(message);
    parts.push(mutateFrame(r, payload, f === count - 1));
  }
  if (parts.length > 1 && r() < 0.2) {
    // Splice: the head of one frame glued to the tail of another.
    const [a, b] = [pick(r, parts), pick(r, parts)];
    parts.push(concat(a.subarray(0, int(r, a.length)), b.subarray(int(r, b.length))));
  }
  let bytes = concat(...parts);
  if (atGpmd) bytes = defuse(bytes);
  stats.frames += parts.length;
  stats.bytes += bytes.length;

  // Write in a few pieces, so the decoder sees frames split across reads.
  let ok = true;
  for (let at = 0; at < bytes.length && ok;) {
    const piece = r() < 0.3 ? 1 + int(r, 64) : bytes.length - at;
    ok = await raw.write(bytes.subarray(at, at + piece));
    at += piece;
  }
  if (!ok) stats.writeFailures++;
  if (raw.ended) stats.serverClosedFirst++;

  const ending = int(r, 10);
  if (ending < 5) {
    // End of input: the server must hang up, whatever state its decoder or dispatch is in.
    await raw.closeWrite();
    try {
      tally((await raw.readToEnd(HANG_MS)).frames);
    } catch (error) {
      stats.hangs++;
      problems.push(`connection ${i}: ${(error as Error).message.slice(0, 300)}`);
    }
  } else if (ending < 8) {
    // Wait a moment for an answer or a hang-up, then leave.
    const first = await raw.readFrame(200).catch(() => undefined);
    if (first) tally([first]);
    if (raw.ended) stats.serverClosedFirst++;
  }
  // Otherwise: close at once, before any reply can be written (a reset if one arrives).
  if (raw.ended === "reset") stats.resets++;
}

function tally(frames: { message?: { t: string; [field: string]: unknown } }[]): void {
  for (const { message } of frames) {
    if (message?.t === "error" || (message?.t === "reply" && message.ok === false)) {
      stats.errorReplies++;
      // INTERNAL means an exception nobody expected: the server's bug, not the input's.
      if (message.code === "INTERNAL") {
        stats.internalErrors++;
        problems.push(`INTERNAL error reply: ${String(message.message).slice(0, 200)}`);
      }
    } else if (message?.t === "reply") stats.okReplies++;
  }
}

async function runConnections(
  total: number,
  stream: number,
  targets: { gpmd: number; node: number },
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        await fuzzConnection(i, stream, targets);
      } catch (error) {
        problems.push(`connection ${i}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, total) }, worker));
}

// ---- The run ----------------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("fuzz: run with --v8-flags=--expose-gc (deno task fuzz does)");
  Deno.exit(2);
}

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return Deno.memoryUsage().heapUsed;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)}MiB`;

let unhandled = 0;
globalThis.addEventListener("unhandledrejection", (event) => {
  unhandled++;
  problems.push(`unhandled rejection: ${String(event.reason).slice(0, 300)}`);
  event.preventDefault();
});
globalThis.addEventListener("error", (event) => {
  unhandled++;
  problems.push(`uncaught error: ${String(event.error).slice(0, 300)}`);
  event.preventDefault();
});

console.log(
  `fuzz: seed ${SEED}, ${CONNECTIONS} connections, ${CONCURRENCY} at a time ` +
    `(replay with --seed ${SEED})`,
);
const started = performance.now();
const home = await Deno.makeTempDir({ prefix: "gvm-fuzz-" });
let gpmdStopped = false;
const checks: [string, boolean][] = [];
let heapBefore = 0;
let heapAfter = 0;
try {
  const gpmd = await GpmdServer.start({ port: 0, home: homePaths(home), cookie: COOKIE });
  gpmd.done.then(() => gpmdStopped = true);
  const gpmdAddress = { host: "127.0.0.1", port: gpmd.port };
  const nodeOptions = { gpmd: gpmdAddress, cookie: COOKIE, modulesDir: MODULES_DIR, workers: 2 };
  const node = await GvmNode.start({ ...nodeOptions, name: "node-fuzz", timeoutMs: 2_000 });
  const checker = await GvmNode.start({ ...nodeOptions, name: "node-check", workers: 1 });
  const targets = { gpmd: gpmd.port, node: node.port };

  const stillAnswers = async (): Promise<[boolean, boolean]> => {
    let discovered = false;
    let added = false;
    try {
      await using client = await GpmdClient.connect({ address: gpmdAddress, cookie: COOKIE });
      discovered = (await client.discover()).includes("node-fuzz");
    } catch (error) {
      problems.push(`discover failed: ${(error as Error).message}`);
    }
    try {
      const args = [{ type: "int" as const, value: 1n }, { type: "int" as const, value: 2n }];
      const local = await node.call({ module: "math", fn: "add", args });
      await checker.connect("node-fuzz");
      const remote = await checker.run("node-fuzz", { module: "math", fn: "add", args }).result;
      checker.disconnect("node-fuzz");
      added = local.values[0] === 3 && remote.values[0] === 3;
    } catch (error) {
      problems.push(`math.add failed: ${(error as Error).message}`);
    }
    return [discovered, added];
  };

  // A stored module, so the store's look-ups are fuzzed past "not found".
  {
    await using client = await GpmdClient.connect({ address: gpmdAddress, cookie: COOKIE });
    await client.upload("math", "v0.0.1", await Deno.readFile(`${MODULES_DIR}/math.wasm`));
  }
  // Warm up (every code path compiled, every module loaded), then take the baseline.
  for (const module of await node.moduleNames()) await node.exportNames(module);
  await runConnections(WARMUP, 0x5eed, targets);
  Object.assign(stats, Object.fromEntries(Object.keys(stats).map((k) => [k, 0])));
  problems.length = 0;
  await stillAnswers();
  heapBefore = await heapAfterGc();

  await runConnections(CONNECTIONS, 0, targets);

  // Let the servers notice every fuzz connection has gone (no event tells us: poll, bounded).
  const settleBy = Date.now() + 15_000;
  let settled = false;
  while (!(settled = node.list().length === 0 && node.serving === 0) && Date.now() < settleBy) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  checks.push(["peers settled", settled]);
  const [discovered, added] = await stillAnswers();
  checks.push(["discover", discovered], ["math.add", added]);
  const registered = gpmd.status().nodes.sort().join(",");
  checks.push(["registry clean", registered === "node-check,node-fuzz"]);
  if (registered !== "node-check,node-fuzz") problems.push(`GPMD lists ${registered}`);
  heapAfter = await heapAfterGc();
  checks.push(["heap", heapAfter <= heapBefore * (1 + HEAP_TOLERANCE)]);
  checks.push(["gpmd running", !gpmdStopped]);

  checker.close();
  node.close();
  await gpmd[Symbol.asyncDispose]();
} finally {
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
checks.push(["no hangs", stats.hangs === 0]);
checks.push(["honest handshakes", stats.handshakeFailures === 0]);
checks.push(["nothing unhandled", unhandled === 0]);

const failed = checks.filter(([, ok]) => !ok).map(([name]) => name);
for (const problem of problems.slice(0, 20)) console.log(`fuzz: problem: ${problem}`);
const growth = heapBefore > 0 ? ((heapAfter / heapBefore - 1) * 100).toFixed(1) : "?";
console.log(
  [
    "fuzz:",
    `seed=${SEED}`,
    `connections=${stats.tried}`,
    `warmup=${WARMUP}`,
    `authenticated=${stats.authenticated}`,
    `frames=${stats.frames}`,
    `bytes=${stats.bytes}`,
    `error-replies=${stats.errorReplies}`,
    `internal-errors=${stats.internalErrors}`,
    `ok-replies=${stats.okReplies}`,
    `server-closed-first=${stats.serverClosedFirst}`,
    `write-failures=${stats.writeFailures}`,
    `resets=${stats.resets}`,
    `hangs=${stats.hangs}`,
    `unhandled=${unhandled}`,
    `heap-before=${mib(heapBefore)}`,
    `heap-after=${mib(heapAfter)}`,
    `heap-growth=${growth}%`,
    `time=${((performance.now() - started) / 1000).toFixed(1)}s`,
    `result=${failed.length === 0 ? "PASS" : `FAIL(${failed.join(",")})`}`,
  ].join(" "),
);
Deno.exit(failed.length === 0 ? 0 : 1);
