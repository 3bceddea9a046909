// Hostile input on the wire, black box: raw bytes over TCP at a real GPMD's port and at a real
// node's peer port (child processes). One list of cases, each run against both targets; after
// every case the target must still serve an honest client. Every wait is on the socket (a frame,
// or the end of the stream) with a deadline.
import assert from "node:assert/strict";
import { GpmdClient, GvmNode } from "../../mod.ts";
import { MODULES_DIR, tempHome, TestGpmd, TestNode } from "./_harness.ts";
import {
  concat,
  describe,
  frame,
  handshakeProof,
  MAX_FRAME_BYTES,
  pack,
  randomNonce,
  RawClient,
  type ReadFrame,
  type ReadToEnd,
  withLength,
} from "./_raw_wire.ts";
import { decodeResults, encodeArgs } from "../../lib/protocol/wasm_values.ts";

/** The handshake's own deadline in the product (lib/limits.ts). */
const HANDSHAKE_TIMEOUT_MS = 5_000;
/** Silence after which a started connection is dropped (lib/limits.ts). */
const HEARTBEAT_DEAD_MS = 2_000;
/** "At once": well inside the handshake timeout, so the close cannot be the timeout's. */
const AT_ONCE_MS = 3_000;
/** How long any read of a whole reply may take before the test calls it a hang. */
const HANG_MS = 15_000;

type Message = NonNullable<ReadFrame["message"]>;

/** One attack surface: a GPMD's port, or a node's peer port. */
interface Target {
  kind: "gpmd" | "node";
  /** The node's name; "" for GPMD. */
  name: string;
  port: number;
  cookie: string;
  /** After the handshake, what this target needs before it serves requests (a node: join). */
  enter(raw: RawClient, name?: string): Promise<void>;
  /** A request this target answers once entered, and a check of its reply. */
  request(id: number): Record<string, unknown>;
  checkReply(reply: Message): void;
  /** The message that claims a name here: GPMD `register`, node `join`. */
  claim(name: string, id: number): Record<string, unknown>;
  /** Whether the target lists `name` (GPMD discovery, the node's Node.list()). */
  lists(name: string): Promise<boolean>;
  /** Asserts an honest client is still served, end to end. */
  stillServes(): Promise<void>;
}

/** A fresh GPMD (and for a node target, a node and an in-process checker node) per test. */
async function withTarget(
  kind: Target["kind"],
  test: (target: Target) => Promise<void>,
): Promise<void> {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const cookie = (await Deno.readTextFile(`${home.path}/cookie`)).trim();
  const gpmdAddress = { host: "127.0.0.1", port: gpmd.port };
  let gpmdExited = false;
  gpmd.child.status.then(() => gpmdExited = true);

  const discover = async () => {
    await using client = await GpmdClient.connect({ address: gpmdAddress, cookie });
    return await client.discover();
  };

  if (kind === "gpmd") {
    let seq = 0;
    await test({
      kind,
      name: "",
      port: gpmd.port,
      cookie,
      enter: () => Promise.resolve(),
      request: (id) => ({ t: "discover", id }),
      checkReply: (reply) => {
        assert.equal(reply.ok, true, JSON.stringify(reply));
        assert.ok(Array.isArray(reply.names), JSON.stringify(reply));
      },
      claim: (name, id) => ({
        t: "register",
        id,
        name,
        nodeId: crypto.randomUUID(),
        host: "127.0.0.1",
        port: 40_000 + seq++,
      }),
      lists: async (name) => (await discover()).includes(name),
      stillServes: async () => {
        assert.equal(gpmdExited, false, "GPMD is still running");
        await using client = await GpmdClient.connect({ address: gpmdAddress, cookie });
        assert.ok(Array.isArray(await client.discover()));
        assert.equal((await client.status()).port, gpmd.port);
      },
    });
    return;
  }

  await using node = await TestNode.start(home.path, gpmd.address);
  let nodeExited = false;
  node.child.status.then(() => nodeExited = true);
  await using checker = await GvmNode.start({
    gpmd: gpmdAddress,
    cookie,
    modulesDir: MODULES_DIR,
    workers: 1,
  });
  await test({
    kind,
    name: node.name,
    port: node.port,
    cookie,
    enter: async (raw, name = `node-raw-${crypto.randomUUID().slice(0, 8)}`) => {
      await raw.send({ t: "join", id: 1, name, nodeId: crypto.randomUUID() });
      const reply = await replyTo(raw, 1);
      assert.equal(reply.ok, true, JSON.stringify(reply));
      assert.equal(reply.name, node.name);
    },
    request: (id) => ({
      t: "call",
      id,
      callId: crypto.randomUUID(),
      module: "math",
      fn: "add",
      args: encodeArgs([{ type: "int", value: 1n }, { type: "int", value: 2n }]),
    }),
    checkReply: (reply) => {
      assert.equal(reply.ok, true, describe({ payload: new Uint8Array(), message: reply }));
      assert.ok(reply.values instanceof Uint8Array, "values travel in the wasm value encoding");
      assert.deepEqual(decodeResults(reply.values).values, [3]);
    },
    claim: (name, id) => ({ t: "join", id, name, nodeId: crypto.randomUUID() }),
    lists: async (name) =>
      (await node.command("Node.list()", "\n")).trim().split(",").includes(name),
    stillServes: async () => {
      assert.equal(nodeExited, false, "the node is still running");
      assert.equal(gpmdExited, false, "GPMD is still running");
      assert.equal(await checker.connect(node.name), node.name);
      const { result } = checker.run(node.name, {
        module: "math",
        fn: "add",
        args: [{ type: "int", value: 1n }, { type: "int", value: 2n }],
      });
      assert.deepEqual((await result).values, [3]);
      checker.disconnect(node.name);
    },
  });
}

/** Reads frames until the reply to request `id` (skipping streamed output and heartbeats). */
async function replyTo(raw: RawClient, id: number, timeoutMs = HANG_MS): Promise<Message> {
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const got = await raw.readFrame(Math.max(1, deadline - performance.now()));
    if (!got) throw new Error(`The connection ended before the reply to request ${id}`);
    if (got.message?.t === "reply" && got.message.id === id) return got.message;
    if (got.message?.t === "error") {
      throw new Error(`Error instead of the reply to request ${id}: ${describe(got)}`);
    }
  }
}

/** A connection that has done the handshake and entered the target. */
async function authenticated(target: Target, name?: string): Promise<RawClient> {
  const raw = await RawClient.connect(target.port);
  try {
    await raw.handshake(target.cookie);
    await target.enter(raw, name);
    return raw;
  } catch (error) {
    await raw[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * Asserts the server hung up (within `withinMs`), having sent nothing but errors (an `error`
 * frame, or a failed reply), each
 * with one of `codes` when given. Returns what was read.
 */
async function assertHangsUp(
  raw: RawClient,
  options: { withinMs?: number; codes?: string[]; errorRequired?: boolean } = {},
): Promise<ReadToEnd> {
  const read = await raw.readToEnd(HANG_MS);
  const within = options.withinMs ?? AT_ONCE_MS;
  assert.ok(read.ms < within, `closed after ${Math.round(read.ms)} ms, not within ${within} ms`);
  for (const got of read.frames) {
    const refusal = got.message?.t === "error" ||
      (got.message?.t === "reply" && got.message.ok === false);
    assert.ok(refusal, `only an error may come back, got ${describe(got)}`);
    if (options.codes) {
      assert.ok(options.codes.includes(String(got.message?.code)), describe(got));
    }
  }
  if (options.errorRequired) assert.equal(read.frames.length, 1, "one error frame, then close");
  return read;
}

interface Case {
  name: string;
  only?: Target["kind"];
  run(target: Target): Promise<void>;
}

/** Sends `bytes` as the very first thing on a fresh connection; it must be dropped at once. */
function garbageFirst(name: string, bytes: Uint8Array): Case {
  return {
    name: `${name} before the handshake closes the connection at once`,
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.write(bytes);
      await assertHangsUp(raw);
    },
  };
}

/** A map {t: <bad UTF-8>}: fixmap of 1, fixstr "t", fixstr of 2 bytes that are not UTF-8. */
const BAD_UTF8 = new Uint8Array([0x81, 0xa1, 0x74, 0xa2, 0xc3, 0x28]);

/** Malformed frames, each of which must close a connection, before or after the handshake. */
const MALFORMED: [string, Uint8Array][] = [
  ["a zero-length frame", withLength(new Uint8Array(0), 0)],
  ["a one-byte frame", frame(new Uint8Array([0xc1]))],
  ["a length over the 16 MiB cap", withLength(new Uint8Array(0), MAX_FRAME_BYTES + 1)],
  ["a length of 2^32-1", withLength(new Uint8Array(0), 0xffff_ffff)],
  ["a type name of bad UTF-8", frame(BAD_UTF8)],
  ["a payload that is not MessagePack", frame("hello there")],
  ["a MessagePack array", frame(pack([1, 2, 3]))],
  ["a MessagePack number", frame(pack(42))],
  ["MessagePack nil", frame(pack(null))],
  ["a map without t", frame(pack({ id: 1, name: "x" }))],
  ["a map whose t is not a string", frame(pack({ t: 7, id: 1 }))],
  ["an id that is not an integer", frame(pack({ t: "hello", id: 1.5, v: 1 }))],
  ["a truncated map", frame(pack({ t: "discover", id: 1 }).subarray(0, 5))],
  ["bytes after the map", frame(concat(pack({ t: "hb" }), new Uint8Array([0])))],
];

const CASES: Case[] = [
  ...MALFORMED.map(([name, bytes]) => garbageFirst(name, bytes)),
  {
    name: "a lone byte and then the end of input closes the connection",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.write(new Uint8Array([0]));
      await raw.closeWrite();
      await assertHangsUp(raw);
    },
  },
  {
    name: "a partial frame then silence is closed by the handshake timeout",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.write(withLength(pack({ t: "hello" }), 100));
      const read = await assertHangsUp(raw, {
        withinMs: HANDSHAKE_TIMEOUT_MS + 5_000,
        codes: ["AUTH_FAILED"],
      });
      assert.ok(read.ms >= HANDSHAKE_TIMEOUT_MS - 1_000, `closed after only ${read.ms} ms`);
    },
  },
  {
    name: "a handshake dragged out step by step is still cut off 5 s after connecting",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      const connected = performance.now();
      // A slow client: the delay is the attack, not a synchronisation.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await raw.send({ t: "hello", v: 1, nonce: randomNonce() });
      await raw.expect("challenge");
      // It never sends auth. The limit is on the whole handshake, not on each step of it.
      await assertHangsUp(raw, { withinMs: HANG_MS, codes: ["AUTH_FAILED"] });
      const total = performance.now() - connected;
      assert.ok(
        total < HANDSHAKE_TIMEOUT_MS + 1_500,
        `a handshake held the connection ${Math.round(total)} ms (limit ${HANDSHAKE_TIMEOUT_MS})`,
      );
    },
  },
  {
    name: "a partial frame after the handshake then silence is closed by the heartbeat timeout",
    async run(target) {
      await using raw = await authenticated(target);
      await raw.write(withLength(pack({ t: "ping" }), 100));
      const read = await raw.readToEnd(HANG_MS);
      assert.ok(read.ms >= HEARTBEAT_DEAD_MS - 1_000, `closed after only ${read.ms} ms`);
      assert.ok(read.ms < HEARTBEAT_DEAD_MS + 5_000, `closed after ${read.ms} ms`);
    },
  },
  {
    name: "a big frame before the handshake is refused, never served",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      const padding = "x".repeat(8 * 1024 * 1024);
      await raw.send({ t: "hello", v: 1, nonce: randomNonce(), pad: padding });
      // A stranger may be held to a smaller cap than a peer (closed unread), or be read and
      // refused: either way no challenge comes back, and the connection ends at once.
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"] });
    },
  },
  {
    name: "after the handshake, a frame just under the 16 MiB cap is served",
    async run(target) {
      await using raw = await authenticated(target);
      raw.startHeartbeat();
      const request = { ...target.request(9), pad: "x".repeat(MAX_FRAME_BYTES - 1_000) };
      await raw.send(request);
      target.checkReply(await replyTo(raw, 9));
    },
  },
  {
    name: "after the handshake, a malformed frame closes that connection only",
    async run(target) {
      await using bystander = await authenticated(target);
      bystander.startHeartbeat();
      let id = 10;
      for (const [name, bytes] of MALFORMED) {
        await using raw = await authenticated(target);
        raw.startHeartbeat(); // So only the bad frame can be why it closes.
        await raw.write(bytes);
        const read = await raw.readToEnd(HANG_MS);
        for (const got of read.frames) {
          assert.notEqual(got.message?.t, "reply", `${name}: ${describe(got)}`);
        }
        await bystander.send(target.request(++id));
        target.checkReply(await replyTo(bystander, id));
      }
    },
  },
  {
    name: "an unknown message type before the handshake is refused with AUTH_FAILED",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.send({ t: "bogus", id: 1 });
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
    },
  },
  {
    name: "a request before the handshake is refused and not served",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.send(target.request(1));
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
    },
  },
  {
    name: "claiming a name before the handshake is refused and claims nothing",
    async run(target) {
      const name = `node-sneak-${crypto.randomUUID().slice(0, 8)}`;
      await using raw = await RawClient.connect(target.port);
      await raw.send(target.claim(name, 1));
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
      assert.equal(await target.lists(name), false);
    },
  },
  {
    name: "auth before hello is refused",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.send({ t: "auth", proof: "00".repeat(32) });
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
    },
  },
  {
    name: "a hello with a malformed nonce or another version is refused",
    async run(target) {
      for (const hello of [{ v: 1, nonce: "xyz" }, { v: 1 }, { v: 2, nonce: randomNonce() }]) {
        await using raw = await RawClient.connect(target.port);
        await raw.send({ t: "hello", ...hello });
        await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
      }
    },
  },
  {
    name: "a wrong cookie gets AUTH_FAILED, then the connection closes",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      const clientNonce = randomNonce();
      await raw.send({ t: "hello", v: 1, nonce: clientNonce });
      const challenge = await raw.expect("challenge");
      const serverNonce = String(challenge.nonce);
      // The server proves it holds the real cookie; a wrong one cannot produce that proof.
      assert.equal(
        challenge.proof,
        await handshakeProof(target.cookie, "gvm-server", clientNonce, serverNonce),
      );
      assert.notEqual(
        challenge.proof,
        await handshakeProof("not-the-cookie", "gvm-server", clientNonce, serverNonce),
      );
      const proof = await handshakeProof("not-the-cookie", "gvm-client", serverNonce, clientNonce);
      await raw.send({ t: "auth", proof });
      const read = await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
      assert.doesNotMatch(describe(read.frames[0]), new RegExp(target.cookie));
    },
  },
  {
    name: "hello sent twice is refused",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      const hello = frame({ t: "hello", v: 1, nonce: randomNonce() });
      await raw.write(concat(hello, hello));
      await raw.expect("challenge");
      await assertHangsUp(raw, { codes: ["AUTH_FAILED"], errorRequired: true });
    },
  },
  {
    name: "an auth proof replayed on a new connection is refused (new server nonce)",
    async run(target) {
      let captured;
      {
        await using first = await RawClient.connect(target.port);
        captured = await first.handshake(target.cookie);
      }
      await using replay = await RawClient.connect(target.port);
      await replay.send({ t: "hello", v: 1, nonce: captured.clientNonce });
      const challenge = await replay.expect("challenge");
      assert.notEqual(challenge.nonce, captured.serverNonce, "every connection gets a new nonce");
      await replay.send({ t: "auth", proof: captured.clientProof });
      await assertHangsUp(replay, { codes: ["AUTH_FAILED"], errorRequired: true });
    },
  },
  {
    // Messages without a request id get no answer at all: two sides answering each other's
    // unanswerable messages would never stop. replyTo() fails on any error frame before the reply.
    name: "a handshake replayed after welcome is ignored, and the connection stays usable",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      const record = await raw.handshake(target.cookie);
      await target.enter(raw);
      await raw.send({ t: "hello", v: 1, nonce: record.clientNonce });
      await raw.send({ t: "auth", proof: record.clientProof });
      await raw.send(target.request(7));
      target.checkReply(await replyTo(raw, 7));
    },
  },
  {
    name: "a name the CLI would refuse is refused on the wire too",
    async run(target) {
      // A comma splits Node.discover()'s list, a newline or an escape sequence reaches the
      // terminal of whoever lists the nodes.
      // (A name too long for a pre-handshake frame is cut off by the 64 KiB cap instead.)
      const bad = ["a,b", "x\ny", "\u001b[2Jcleared", "", "x".repeat(1_000)];
      let id = 1;
      for (const name of bad) {
        await using raw = await RawClient.connect(target.port);
        await raw.handshake(target.cookie);
        await raw.send(target.claim(name, ++id));
        const reply = await replyTo(raw, id);
        assert.equal(reply.ok, false, `${JSON.stringify(name.slice(0, 20))} was accepted`);
        if (target.kind === "gpmd") assert.equal(await target.lists(name), false);
      }
    },
  },
  {
    name: "a live name claimed again gets a clear answer and every connection it leaves open works",
    async run(target) {
      const name = `node-dup-${crypto.randomUUID().slice(0, 8)}`;
      await using first = await authenticated(target, target.kind === "node" ? name : undefined);
      first.startHeartbeat();
      if (target.kind === "gpmd") {
        await first.send(target.claim(name, 1));
        assert.equal((await replyTo(first, 1)).ok, true);
      }
      await using second = await RawClient.connect(target.port);
      second.startHeartbeat();
      await second.handshake(target.cookie);
      await second.send(target.claim(name, 2));
      const reply = await replyTo(second, 2);
      if (target.kind === "gpmd") {
        assert.equal(reply.ok, false, `a second claim on ${name} must be refused`);
        assert.equal(reply.code, "NAME_TAKEN");
        // The refused connection is still there to ask, or to try another name.
        await second.send(target.request(3));
        target.checkReply(await replyTo(second, 3));
        await second.send(target.claim(`${name}-b`, 4));
        assert.equal((await replyTo(second, 4)).ok, true);
        assert.equal(await target.lists(name), true);
      } else if (reply.ok === false) {
        // A node may refuse a second connection under a connected name (and hang up)...
        assert.match(String(reply.code), /^(NAME_TAKEN|CONNECTION_DENIED)$/);
        await assertHangsUp(second, { codes: ["NAME_TAKEN", "CONNECTION_DENIED"] });
        await first.send(target.request(5));
        target.checkReply(await replyTo(first, 5));
      } else {
        // ...or take it (a restarted node has a new id) in place of the old one; but a join it
        // confirmed must then be served, not hung up on.
        await second.send(target.request(6));
        target.checkReply(await replyTo(second, 6));
      }
      assert.equal(await target.lists(name), true);
    },
  },
  {
    name: "a module version named like an object property is simply not found",
    only: "gpmd",
    async run(target) {
      {
        await using client = await GpmdClient.connect({
          address: { host: "127.0.0.1", port: target.port },
          cookie: target.cookie,
        });
        await client.upload("math", "v0.0.1", await Deno.readFile(`${MODULES_DIR}/math.wasm`));
      }
      await using raw = await authenticated(target);
      let id = 1;
      for (const version of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
        await raw.send({ t: "module.get", id: ++id, name: "math", version });
        const reply = await replyTo(raw, id);
        assert.equal(reply.ok, false);
        assert.equal(reply.code, "MODULE_NOT_FOUND", `version ${version}: ${reply.message}`);
        assert.doesNotMatch(String(reply.message), /\/modules\//, "no server path in the reply");
      }
    },
  },
  {
    name: "upload parts that lie about their size or hash store nothing",
    only: "gpmd",
    async run(target) {
      await using raw = await authenticated(target);
      const math = await Deno.readFile(`${MODULES_DIR}/math.wasm`);
      const put = (id: number, upload: number, size: number, sha256: string) =>
        raw.send({ t: "module.put", id, upload, name: "liar", version: "v0.0.1", size, sha256 });
      // Parts, then a put that claims another size; then one that claims another hash.
      await raw.send({ t: "module.part", upload: 1, data: math });
      await put(1, 1, math.length + 1, "0".repeat(64));
      assert.equal((await replyTo(raw, 1)).code, "PROTOCOL_ERROR");
      await raw.send({ t: "module.part", upload: 2, data: math });
      await put(2, 2, math.length, "0".repeat(64));
      assert.equal((await replyTo(raw, 2)).code, "HASH_MISMATCH");
      // A put naming no upload at all, and body chunks for a request that does not exist.
      await put(3, 9, 10, "0".repeat(64));
      assert.equal((await replyTo(raw, 3)).ok, false);
      await raw.send({ t: "chunk", re: 77, data: math });
      await raw.send({ t: "module.list", id: 4 });
      const listed = await replyTo(raw, 4);
      assert.deepEqual(listed.modules, [], "nothing was stored");
    },
  },
  {
    name: "stream events for no request are ignored",
    async run(target) {
      await using raw = await authenticated(target);
      raw.startHeartbeat();
      await raw.send({ t: "out", re: 5, fd: 1, data: new Uint8Array([104, 105]) });
      await raw.send({ t: "chunk", re: 6, data: new Uint8Array(1024) });
      await raw.send(target.request(7));
      target.checkReply(await replyTo(raw, 7));
    },
  },
  {
    name: "joining under the node's own name is denied",
    only: "node",
    async run(target) {
      await using raw = await RawClient.connect(target.port);
      await raw.handshake(target.cookie);
      await raw.send(target.claim(target.name, 1));
      await assertHangsUp(raw, { codes: ["CONNECTION_DENIED"], errorRequired: true });
    },
  },
  {
    name: "a socket closed right after a request, before the reply, harms nothing",
    async run(target) {
      // Right after hello, in the middle of a frame, and right after a request once entered.
      {
        await using raw = await RawClient.connect(target.port);
        await raw.send({ t: "hello", v: 1, nonce: randomNonce() });
      }
      {
        await using raw = await RawClient.connect(target.port);
        await raw.write(frame({ t: "hello", v: 1, nonce: randomNonce() }).subarray(0, 9));
      }
      for (let i = 0; i < 20; i++) {
        await using raw = await authenticated(target);
        await raw.write(concat(frame(target.request(1)), frame(target.request(2))));
      }
      const name = `node-gone-${crypto.randomUUID().slice(0, 8)}`;
      {
        await using raw = await authenticated(target, target.kind === "node" ? name : undefined);
        if (target.kind === "gpmd") await raw.send(target.claim(name, 1));
      }
      // A claim dies with its connection: it must drop out (no event reaches us, so poll).
      await pollUntil(`${name} to drop out`, () => target.lists(name), (listed) => !listed);
    },
  },
  {
    name: "fifty silent connections do not keep an honest client out",
    async run(target) {
      const silent: RawClient[] = [];
      try {
        for (let i = 0; i < 50; i++) silent.push(await RawClient.connect(target.port));
        await target.stillServes();
        for (const raw of silent) assert.equal(raw.ended, undefined, "still waiting for hello");
      } finally {
        await Promise.all(silent.map((raw) => raw[Symbol.asyncDispose]()));
      }
    },
  },
];

/** Runs `probe` until `done` holds; fails after `timeoutMs`. Only where no event exists. */
async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = HANG_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const kind of ["gpmd", "node"] as const) {
  for (const c of CASES) {
    if (c.only && c.only !== kind) continue;
    Deno.test(`hostile frames, ${kind}: ${c.name}`, () =>
      withTarget(kind, async (target) => {
        await c.run(target);
        await target.stillServes();
      }));
  }
}
