/**
 * Placement for `Node.map`: which item runs next and on which node. Pure bookkeeping, no I/O,
 * so it can be tested and timed on its own.
 *
 * @module
 */

/** One node as the scheduler sees it. */
export interface SchedulerNode {
  /** Name the caller uses for the node. */
  readonly name: string;
  /** Calls it can run at once (its sandbox processes). */
  readonly capacity: number;
  /** Calls this batch has in flight there now. */
  inFlight: number;
  /** Calls of this batch it finished (successfully or not). */
  done: number;
  /** False once it went down; it gets nothing more. */
  alive: boolean;
}

/** One placement decision: run item `item` on node `node`. */
export interface Placement {
  /** Index of the item in the batch. */
  item: number;
  /** Name of the node to run it on. */
  node: string;
}

/**
 * Hands out items `0..total-1` to nodes by free capacity (capacity minus calls in flight), never
 * more in flight on a node than its capacity. A slow node finishes its calls later, so its slots
 * free up later and it is offered fewer items: placement is pulled by completions, not pushed by
 * a guess of speed. Items given back (their node died) run before fresh ones, so a batch's early
 * results are not held up behind them.
 *
 * @example
 * ```ts
 * const s = new MapScheduler(3);
 * s.addNode("local", 2);
 * s.addNode("node-8399", 1);
 * s.next(); // { item: 0, node: "local" }
 * s.next(); // { item: 1, node: "local" } or node-8399: both have one free slot
 * ```
 */
export class MapScheduler {
  /** Items in the batch. */
  readonly total: number;
  readonly #nodes: SchedulerNode[] = [];
  readonly #byName = new Map<string, SchedulerNode>();
  // Re-queued items, lowest first; fresh items come from #nextFresh.
  readonly #requeued: number[] = [];
  #nextFresh = 0;
  #finished = 0;

  /** A scheduler for items `0..total-1`; nodes are added with {@linkcode MapScheduler.addNode}. */
  constructor(total: number) {
    if (!Number.isSafeInteger(total) || total < 0) {
      throw new RangeError(`Cannot schedule ${total} items`);
    }
    this.total = total;
  }

  /** Adds a node that can run `capacity` calls at once (at least 1). */
  addNode(name: string, capacity: number): void {
    if (this.#byName.has(name)) throw new RangeError(`Node ${name} is scheduled already`);
    const node: SchedulerNode = {
      name,
      capacity: Math.max(1, Math.floor(capacity)),
      inFlight: 0,
      done: 0,
      alive: true,
    };
    this.#nodes.push(node);
    this.#byName.set(name, node);
  }

  /** The nodes, in the order they were added (for progress). */
  get nodes(): readonly Readonly<SchedulerNode>[] {
    return this.#nodes;
  }

  /** Items finished (successfully or not). */
  get finished(): number {
    return this.#finished;
  }

  /** Whether every item has finished. */
  get complete(): boolean {
    return this.#finished === this.total;
  }

  /** Whether some live node is left to run items. */
  get hasLiveNode(): boolean {
    return this.#nodes.some((node) => node.alive);
  }

  /**
   * The next item and the node with the most free slots, or undefined when nothing is waiting
   * or every node is full. The item counts as in flight on that node until
   * {@linkcode MapScheduler.finish} or {@linkcode MapScheduler.nodeDown}.
   */
  next(): Placement | undefined {
    if (this.#requeued.length === 0 && this.#nextFresh >= this.total) return undefined;
    let best: SchedulerNode | undefined;
    let bestFree = 0;
    // A linear scan: batches span a handful of nodes, and this keeps a call's cost to a few
    // comparisons without a heap to keep in step.
    for (const node of this.#nodes) {
      if (!node.alive) continue;
      const free = node.capacity - node.inFlight;
      if (free > bestFree) {
        best = node;
        bestFree = free;
      }
    }
    if (best === undefined) return undefined;
    const item = this.#requeued.length > 0 ? this.#requeued.shift()! : this.#nextFresh++;
    best.inFlight++;
    return { item, node: best.name };
  }

  /** A call on `node` finished, with a result or with an error of its own. */
  finish(node: string): void {
    const entry = this.#entry(node);
    entry.inFlight--;
    entry.done++;
    this.#finished++;
  }

  /**
   * Item `item` could not finish on `node` because the node went down: the node gets nothing
   * more and the item waits for another node. Its other items come back the same way, each as
   * its own call fails.
   */
  nodeDown(node: string, item: number): void {
    const entry = this.#entry(node);
    entry.inFlight--;
    entry.alive = false;
    // Keep re-queued items in input order, so results held for in-order printing flow soonest.
    let at = this.#requeued.length;
    while (at > 0 && this.#requeued[at - 1] > item) at--;
    this.#requeued.splice(at, 0, item);
  }

  /**
   * Gives up on every waiting item (no live node is left to run them): they count as finished,
   * and are returned so the caller can fail them.
   */
  abandon(): number[] {
    const waiting = [...this.#requeued];
    this.#requeued.length = 0;
    while (this.#nextFresh < this.total) waiting.push(this.#nextFresh++);
    this.#finished += waiting.length;
    return waiting.sort((a, b) => a - b);
  }

  #entry(name: string): SchedulerNode {
    const entry = this.#byName.get(name);
    if (!entry) throw new RangeError(`Node ${name} is not scheduled`);
    return entry;
  }
}
