import assert from "node:assert/strict";
import { MapScheduler } from "../../lib/node/map_scheduler.ts";

function drain(s: MapScheduler): { item: number; node: string }[] {
  const out = [];
  for (let p = s.next(); p; p = s.next()) out.push(p);
  return out;
}

Deno.test("MapScheduler never puts more in flight on a node than its capacity", () => {
  const s = new MapScheduler(10);
  s.addNode("a", 2);
  s.addNode("b", 1);
  const placed = drain(s);
  assert.deepEqual(placed.map((p) => p.item), [0, 1, 2]);
  assert.equal(placed.filter((p) => p.node === "a").length, 2);
  assert.equal(placed.filter((p) => p.node === "b").length, 1);
  assert.equal(s.next(), undefined);
});

Deno.test("MapScheduler sends each call to the node with the most free slots", () => {
  const s = new MapScheduler(10);
  s.addNode("small", 1);
  s.addNode("big", 4);
  // big has 4 free, small 1: big takes calls until both have one free, then ties go first-added.
  assert.deepEqual(drain(s).map((p) => p.node), ["big", "big", "big", "small", "big"]);
});

Deno.test("MapScheduler gives a slow node fewer calls: placement follows completions", () => {
  const s = new MapScheduler(20);
  s.addNode("fast", 1);
  s.addNode("slow", 1);
  const counts = { fast: 0, slow: 0 };
  drain(s).forEach((p) => counts[p.node as "fast" | "slow"]++);
  // The fast node finishes ten calls while the slow one is still on its first.
  for (let i = 0; i < 10; i++) {
    s.finish("fast");
    const next = s.next()!;
    assert.equal(next.node, "fast");
    counts.fast++;
  }
  assert.deepEqual(counts, { fast: 11, slow: 1 });
});

Deno.test("MapScheduler re-queues a dead node's calls ahead of fresh ones, in input order", () => {
  const s = new MapScheduler(6);
  s.addNode("a", 1);
  s.addNode("b", 2);
  assert.deepEqual(drain(s), [
    { item: 0, node: "b" },
    { item: 1, node: "a" },
    { item: 2, node: "b" },
  ]);
  s.nodeDown("b", 2);
  s.nodeDown("b", 0);
  assert.equal(s.next(), undefined, "a is full, b is dead");
  s.finish("a");
  assert.deepEqual(s.next(), { item: 0, node: "a" });
  s.finish("a");
  assert.deepEqual(s.next(), { item: 2, node: "a" });
  s.finish("a");
  assert.deepEqual(s.next(), { item: 3, node: "a" });
  assert.equal(s.nodes.find((n) => n.name === "b")!.alive, false);
  assert.equal(s.finished, 3);
});

Deno.test("MapScheduler.abandon() fails what waits once no node is left", () => {
  const s = new MapScheduler(4);
  s.addNode("a", 1);
  assert.deepEqual(s.next(), { item: 0, node: "a" });
  s.nodeDown("a", 0);
  assert.equal(s.hasLiveNode, false);
  assert.equal(s.next(), undefined);
  assert.deepEqual(s.abandon(), [0, 1, 2, 3]);
  assert.equal(s.complete, true);
});

Deno.test("MapScheduler rejects a bad total and unknown nodes", () => {
  assert.throws(() => new MapScheduler(-1), RangeError);
  const s = new MapScheduler(1);
  assert.throws(() => s.finish("nope"), RangeError);
  s.addNode("a", 0);
  assert.equal(s.nodes[0].capacity, 1, "capacity is at least 1");
  assert.throws(() => s.addNode("a", 1), RangeError);
});
