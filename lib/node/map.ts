/**
 * `Node.map`: one call per item, spread over this node and its peers by free capacity, results
 * handed back in input order. Calls of a node that goes down are re-run elsewhere.
 *
 * @module
 */

import { GvmError, toGvmError } from "../errors.ts";
import type { CallOptions, CallResult, CallSpec } from "../wasm/runtime.ts";
import type { CallArg } from "../wasm/values.ts";
import { MapScheduler } from "./map_scheduler.ts";
import { MAP_BATCH_OUTPUT_CAP, MAP_CAPACITY_TIMEOUT_MS, MAP_OUTPUT_CAP } from "../limits.ts";

/** What each item calls: an export (`fn`), or the module's `_start`/`main` with argv. */
export interface MapSpec {
  /** Module name. */
  module: string;
  /** Export to call; absent runs the module's main with each item as its argv. */
  fn?: string;
}

/** One chunk of a call's output. */
export interface MapOutput {
  /** 1 for stdout, 2 for stderr. */
  fd: 1 | 2;
  /** The bytes as printed. */
  data: Uint8Array;
}

/** The outcome of one item, in input order. */
export interface MapResult {
  /** Position of the item in the batch. */
  index: number;
  /** The call's arguments. */
  args: CallArg[];
  /** The node that ran the call to the end (this node's own name for local calls). */
  node: string;
  /** Nodes that went down while running this call; it was re-run after each. */
  rerunFrom: string[];
  /** The values, when the call succeeded. */
  result?: CallResult;
  /** The call's own failure (trap, bad arguments, time limit ...); never retried. */
  error?: GvmError;
  /** What the call printed, from the attempt that finished (earlier attempts' is dropped). */
  output: MapOutput[];
  /**
   * Whether some output was dropped: past {@linkcode MAP_OUTPUT_CAP} bytes for this call, or
   * past 64 MiB held for the whole batch's calls waiting their turn.
   */
  outputTruncated: boolean;
}

/** How one attempt at an item ended: what a {@linkcode MapResult} takes from it. */
type Attempt = Pick<MapResult, "result" | "error" | "output" | "outputTruncated">;

/** A node's share of a batch, for progress. */
export interface MapNodeProgress {
  /** Node name. */
  name: string;
  /** Calls it runs at once. */
  capacity: number;
  /** Calls of this batch running there now. */
  inFlight: number;
  /** Calls of this batch it finished. */
  done: number;
  /** False once it went down. */
  alive: boolean;
}

/** Where a batch stands. */
export interface MapProgress {
  /** Calls in the batch. */
  total: number;
  /** Items finished, successfully or not. */
  done: number;
  /** Items that finished with an error. */
  failed: number;
  /** Calls re-run because their node went down. */
  rerun: number;
  /** Time since the batch started. */
  elapsedMs: number;
  /** Each node's share. */
  nodes: MapNodeProgress[];
}

/** Options for {@linkcode runMap}. */
export interface MapOptions {
  /** Cancels the whole batch: calls in flight are stopped on every node. */
  signal?: AbortSignal;
  /** Time limit per call. @default {the node's limit} */
  timeoutMs?: number;
  /** Peers to use. @default {every connected peer} */
  peers?: readonly string[];
  /** Whether this node runs calls too. @default {true} */
  local?: boolean;
  /** Called when an item finishes or a node goes down. */
  onProgress?: (progress: MapProgress) => void;
}

/** What {@linkcode runMap} needs of a node: its public call API and its peers' capacity. */
export interface MapHost {
  /** This node's name, as results name it. */
  readonly name: string;
  /** Calls this node runs at once. */
  readonly capacity: number;
  /** Connected peers. */
  list(): string[];
  /** Calls peer `name` runs at once (asked once per batch). */
  peerCapacity(name: string): Promise<number>;
  /** Runs a call on this node. */
  call(spec: CallSpec, options: CallOptions): Promise<CallResult>;
  /** Starts a call on peer `name`. */
  run(
    name: string,
    spec: CallSpec,
    options: Omit<CallOptions, "loaded">,
  ): { result: Promise<CallResult> };
}

// Failures that say the node is gone, not that the call failed: only these are re-run.
const NODE_DOWN = new Set(["PEER_DOWN", "NOT_CONNECTED"]);

/**
 * Runs `spec` once per item across this node and its peers and yields the results in input
 * order, each as soon as it and all before it are done. A call's own failure is its result's
 * `error`; the batch goes on. Cancelling (the signal, or leaving the loop early) stops every
 * call in flight; a cancelled batch throws `CANCELLED`.
 *
 * Calls run in fresh instances, so re-running one on another node is safe, unless it has
 * effects outside its instance (files written in an `--allow-dir` folder): such a call may run
 * twice if its node dies mid-call.
 *
 * @example
 * ```ts
 * const items = [30, 31, 32].map((n) => [{ type: "int" as const, value: BigInt(n) }]);
 * for await (const r of runMap(host, { module: "mapwork", fn: "fib" }, items)) {
 *   console.log(r.index, r.node, r.error?.code ?? r.result?.values);
 * }
 * ```
 */
export async function* runMap(
  host: MapHost,
  spec: MapSpec,
  items: readonly CallArg[][],
  options: MapOptions = {},
): AsyncGenerator<MapResult> {
  const batch = new Batch(host, spec, items, options);
  try {
    await batch.start();
    for (let index = 0; index < items.length; index++) {
      yield await batch.result(index);
    }
  } finally {
    batch.stop();
  }
}

/** One running batch: places calls, collects results, re-queues a dead node's calls. */
class Batch {
  readonly #host: MapHost;
  readonly #spec: MapSpec;
  readonly #items: readonly CallArg[][];
  readonly #options: MapOptions;
  // One controller per call in flight, so finished calls leave nothing behind to cancel.
  readonly #inFlight = new Set<AbortController>();
  #stopped = false;
  readonly #scheduler: MapScheduler;
  readonly #results = new Map<number, MapResult>();
  readonly #rerunFrom = new Map<number, string[]>();
  readonly #started = performance.now();
  #failed = 0;
  #rerun = 0;
  #heldOutput = 0;
  #wake?: () => void;

  constructor(host: MapHost, spec: MapSpec, items: readonly CallArg[][], options: MapOptions) {
    this.#host = host;
    this.#spec = spec;
    this.#items = items;
    this.#options = options;
    this.#scheduler = new MapScheduler(items.length);
    options.signal?.addEventListener("abort", () => this.#cancel(), { once: true });
  }

  /** Learns each peer's capacity, then fills every node's free slots. */
  async start(): Promise<void> {
    this.#throwIfCancelled();
    const host = this.#host;
    if (this.#options.local !== false) this.#scheduler.addNode(host.name, host.capacity);
    const peers = this.#options.peers ?? host.list();
    const capacities = await Promise.all(peers.map((peer) => this.#askCapacity(peer)));
    peers.forEach((peer, i) => {
      const capacity = capacities[i];
      if (capacity !== undefined) this.#scheduler.addNode(peer, capacity);
    });
    this.#throwIfCancelled();
    if (!this.#scheduler.hasLiveNode && this.#items.length > 0) {
      throw new GvmError("NOT_CONNECTED", "No node to run the batch on");
    }
    this.#pump();
    this.#options.onProgress?.(this.progress());
  }

  /** Waits for item `index` and hands it over. */
  async result(index: number): Promise<MapResult> {
    for (;;) {
      this.#throwIfCancelled();
      const result = this.#results.get(index);
      if (result) {
        this.#results.delete(index);
        this.#heldOutput -= outputBytes(result.output);
        return result;
      }
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** Stops whatever still runs (the caller left early, or the batch is over). */
  stop(): void {
    this.#stopped = true;
    for (const controller of this.#inFlight) controller.abort();
  }

  async #askCapacity(peer: string): Promise<number | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), MAP_CAPACITY_TIMEOUT_MS);
    });
    try {
      // A peer that cannot answer now is not worth waiting for: the batch runs without it.
      return await Promise.race([this.#host.peerCapacity(peer).catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #cancel(): void {
    this.stop();
    this.#wakeUp();
  }

  #throwIfCancelled(): void {
    if (this.#options.signal?.aborted) {
      throw new GvmError(
        "CANCELLED",
        `Node.map cancelled after ${this.#scheduler.finished} of ${this.#items.length} calls`,
      );
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #pump(): void {
    if (this.#stopped) return;
    for (;;) {
      const placement = this.#scheduler.next();
      if (!placement) return;
      this.#launch(placement.item, placement.node);
    }
  }

  #launch(item: number, node: string): void {
    const output: MapOutput[] = [];
    let kept = 0;
    let truncated = false;
    const onOutput = (fd: 1 | 2, data: Uint8Array) => {
      const room = Math.min(MAP_OUTPUT_CAP - kept, MAP_BATCH_OUTPUT_CAP - this.#heldOutput);
      if (data.length > room) {
        truncated = true;
        data = data.subarray(0, Math.max(0, room));
      }
      kept += data.length;
      this.#heldOutput += data.length;
      // Copied: the sender may reuse its buffer once this returns.
      if (data.length > 0) output.push({ fd, data: data.slice() });
    };
    const spec: CallSpec = { ...this.#spec, args: this.#items[item] };
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const callOptions = {
      signal: controller.signal,
      timeoutMs: this.#options.timeoutMs,
      onOutput,
    };
    let running: Promise<CallResult>;
    try {
      running = node === this.#host.name && this.#options.local !== false
        ? this.#host.call(spec, callOptions)
        : this.#host.run(node, spec, callOptions).result;
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) => ({ result }),
      (error) => ({ error: toGvmError(error) }),
    ).then((outcome) => {
      this.#inFlight.delete(controller);
      this.#settle(item, node, { ...outcome, output, outputTruncated: truncated });
    });
  }

  #settle(item: number, node: string, outcome: Attempt): void {
    const error = outcome.error;
    const nodeDown = error !== undefined && NODE_DOWN.has(error.code) &&
      node !== this.#host.name && !this.#stopped;
    if (nodeDown) {
      this.#heldOutput -= outputBytes(outcome.output);
      this.#scheduler.nodeDown(node, item);
      this.#rerun++;
      const from = this.#rerunFrom.get(item) ?? [];
      from.push(node);
      this.#rerunFrom.set(item, from);
      // Nowhere left to run it: the node's failure becomes the call's.
      if (!this.#scheduler.hasLiveNode) {
        for (const waiting of this.#scheduler.abandon()) {
          this.#record(waiting, node, { error, output: [], outputTruncated: false });
        }
      }
    } else {
      this.#scheduler.finish(node);
      this.#record(item, node, outcome);
    }
    this.#pump();
    this.#options.onProgress?.(this.progress());
    this.#wakeUp();
  }

  #record(item: number, node: string, outcome: Attempt): void {
    if (outcome.error) this.#failed++;
    this.#results.set(item, {
      index: item,
      args: this.#items[item],
      node,
      rerunFrom: this.#rerunFrom.get(item) ?? [],
      result: outcome.result,
      error: outcome.error,
      output: outcome.output,
      outputTruncated: outcome.outputTruncated,
    });
    this.#rerunFrom.delete(item);
  }

  /** A snapshot of where the batch stands. */
  progress(): MapProgress {
    return {
      total: this.#items.length,
      done: this.#scheduler.finished,
      failed: this.#failed,
      rerun: this.#rerun,
      elapsedMs: performance.now() - this.#started,
      nodes: this.#scheduler.nodes.map((n) => ({ ...n })),
    };
  }
}

function outputBytes(output: readonly MapOutput[]): number {
  let total = 0;
  for (const chunk of output) total += chunk.data.length;
  return total;
}
