import assert from "node:assert/strict";
import { GvmError } from "../../lib/errors.ts";
import { MAP_OUTPUT_CAP } from "../../lib/limits.ts";
import { type MapHost, type MapResult, runMap } from "../../lib/node/map.ts";
import type { CallResult, CallSpec } from "../../lib/wasm/runtime.ts";
import type { CallArg } from "../../lib/wasm/values.ts";

interface Pending {
  node: string;
  n: number;
  resolve: (r: CallResult) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onOutput?: (fd: 1 | 2, data: Uint8Array) => unknown;
}

type FakeCallOptions = {
  signal?: AbortSignal;
  onOutput?: (fd: 1 | 2, data: Uint8Array) => unknown;
};

/** A node and peers whose calls finish only when the test says so. */
class FakeHost implements MapHost {
  readonly name = "local";
  readonly capacity = 1;
  readonly pending: Pending[] = [];
  readonly peers = new Map<string, number>();
  #wake?: () => void;

  list(): string[] {
    return [...this.peers.keys()];
  }
  peerCapacity(name: string): Promise<number> {
    return Promise.resolve(this.peers.get(name)!);
  }
  call(spec: CallSpec, options: FakeCallOptions): Promise<CallResult> {
    return this.#start("local", spec, options);
  }
  run(name: string, spec: CallSpec, options: FakeCallOptions) {
    if (!this.peers.has(name)) throw new GvmError("NOT_CONNECTED", `Not connected to ${name}`);
    return { result: this.#start(name, spec, options) };
  }
  #start(node: string, spec: CallSpec, options: FakeCallOptions): Promise<CallResult> {
    const { signal, onOutput } = options;
    return new Promise((resolve, reject) => {
      const n = Number((spec.args[0] as { value: bigint }).value);
      this.pending.push({ node, n, resolve, reject, signal, onOutput });
      signal?.addEventListener("abort", () => reject(new GvmError("CANCELLED", "cancelled")));
      this.#wake?.();
    });
  }
  /** Waits until `count` calls are pending. */
  async started(count: number): Promise<Pending[]> {
    while (this.pending.length < count) await new Promise<void>((r) => this.#wake = r);
    return this.pending;
  }
  take(node: string): Pending {
    const at = this.pending.findIndex((p) => p.node === node);
    return this.pending.splice(at, 1)[0];
  }
}

const ints = (...ns: number[]): CallArg[][] => ns.map((n) => [{ type: "int", value: BigInt(n) }]);
const ok = (n: number): CallResult => ({ types: ["i32"], values: [n * 10] });

Deno.test("runMap() yields in input order, whatever order calls finish in", async () => {
  const host = new FakeHost();
  host.peers.set("b", 1);
  const run = runMap(host, { module: "m", fn: "f" }, ints(1, 2));
  const first = run.next();
  await host.started(2);
  host.take("b").resolve(ok(2));
  host.take("local").resolve(ok(1));
  const results = [(await first).value as MapResult, (await run.next()).value as MapResult];
  assert.deepEqual(results.map((r) => [r.index, r.node, r.result?.values]), [
    [0, "local", [10]],
    [1, "b", [20]],
  ]);
  assert.equal((await run.next()).done, true);
});

Deno.test("runMap() re-runs a dead peer's calls elsewhere but never a call's own failure", async () => {
  const host = new FakeHost();
  host.peers.set("b", 2);
  const progress: number[] = [];
  const all = Array.fromAsync(
    runMap(host, { module: "m", fn: "f" }, ints(1, 2, 3, 4), {
      onProgress: (p) => progress.push(p.rerun),
    }),
  );
  await host.started(3);
  // b dies with two calls in flight; the local call traps.
  host.take("b").reject(new GvmError("PEER_DOWN", "Connection closed"));
  host.take("b").reject(new GvmError("PEER_DOWN", "Connection closed"));
  host.peers.delete("b");
  host.take("local").reject(new GvmError("TRAP", "unreachable"));
  for (let i = 0; i < 3; i++) {
    (await host.started(1))[0].resolve(ok(host.pending[0].n));
    host.pending.shift();
  }
  const results = await all;
  assert.deepEqual(results.map((r) => [r.node, r.error?.code ?? r.result?.values[0]]), [
    ["local", 10],
    ["local", "TRAP"],
    ["local", 30],
    ["local", 40],
  ]);
  assert.deepEqual(results.map((r) => r.rerunFrom), [["b"], [], ["b"], []]);
  assert.equal(progress.at(-1), 2);
});

Deno.test("runMap() cancels every call in flight and throws CANCELLED", async () => {
  const host = new FakeHost();
  host.peers.set("b", 1);
  const controller = new AbortController();
  const run = runMap(host, { module: "m", fn: "f" }, ints(1, 2, 3), {
    signal: controller.signal,
  });
  const first = run.next();
  const pending = await host.started(2);
  const signals = pending.map((p) => p.signal!);
  controller.abort();
  await assert.rejects(first, (e: GvmError) => e.code === "CANCELLED");
  assert.deepEqual(signals.map((s) => s.aborted), [true, true]);
});

Deno.test("runMap() leaves out a peer that cannot say its capacity", async () => {
  const host = new FakeHost();
  host.peerCapacity = () => Promise.reject(new GvmError("PEER_DOWN", "gone"));
  host.peers.set("b", 1);
  const all = Array.fromAsync(runMap(host, { module: "m", fn: "f" }, ints(5)));
  (await host.started(1))[0].resolve(ok(5));
  const [only] = await all;
  assert.equal(only.node, "local");
});

Deno.test("runMap() fails what is left with the node's error once no node is left", async () => {
  const host = new FakeHost();
  host.peers.set("b", 1);
  const all = Array.fromAsync(
    runMap(host, { module: "m", fn: "f" }, ints(1, 2, 3), { local: false }),
  );
  await host.started(1);
  host.take("b").reject(new GvmError("PEER_DOWN", "Connection closed"));
  const results = await all;
  assert.deepEqual(results.map((r) => [r.index, r.error?.code]), [
    [0, "PEER_DOWN"],
    [1, "PEER_DOWN"],
    [2, "PEER_DOWN"],
  ]);
  assert.deepEqual(results[0].rerunFrom, ["b"]);
});

Deno.test("runMap() keeps only the output of the attempt that finished", async () => {
  const host = new FakeHost();
  host.peers.set("b", 2);
  const text = (s: string) => new TextEncoder().encode(s);
  const all = Array.fromAsync(runMap(host, { module: "m" }, ints(1, 2)));
  await host.started(2);
  const onB = host.take("b");
  onB.onOutput!(1, text("from b\n"));
  host.take("local").resolve({ types: [], values: [] });
  onB.reject(new GvmError("PEER_DOWN", "Connection closed"));
  const again = (await host.started(1))[0];
  assert.equal(again.node, "local");
  again.onOutput!(1, text("from local\n"));
  host.take("local").resolve({ types: [], values: [] });
  const results = await all;
  const shown = results.map((r) => r.output.map((o) => new TextDecoder().decode(o.data)));
  assert.deepEqual(shown, [["from local\n"], []]);
  assert.deepEqual(results.map((r) => r.rerunFrom), [["b"], []]);
});

Deno.test("runMap() keeps at most MAP_OUTPUT_CAP bytes of a call's output and says so", async () => {
  const host = new FakeHost();
  const all = Array.fromAsync(runMap(host, { module: "m" }, ints(1)));
  const [call] = await host.started(1);
  call.onOutput!(1, new Uint8Array(MAP_OUTPUT_CAP - 10));
  call.onOutput!(2, new Uint8Array(20));
  host.take("local").resolve({ types: [], values: [] });
  const [result] = await all;
  assert.deepEqual(result.output.map((o) => [o.fd, o.data.length]), [
    [1, MAP_OUTPUT_CAP - 10],
    [2, 10],
  ]);
  assert.equal(result.outputTruncated, true);
});
