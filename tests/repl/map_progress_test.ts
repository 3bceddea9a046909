import assert from "node:assert/strict";
import type { MapProgress } from "../../lib/node/map.ts";
import { progressLine } from "../../lib/repl/map_progress.ts";
import { itemLabel } from "../../lib/repl/map_command.ts";

const progress = (over: Partial<MapProgress> = {}): MapProgress => ({
  total: 11,
  done: 5,
  failed: 1,
  rerun: 0,
  elapsedMs: 2000,
  nodes: [
    { name: "node-1111", capacity: 2, inFlight: 2, done: 3, alive: true },
    { name: "node-2222", capacity: 1, inFlight: 0, done: 2, alive: false },
  ],
  ...over,
});

Deno.test("`progressLine()` shows done/total, failures, rate and each node", () => {
  assert.equal(
    progressLine(progress(), 120),
    "[#########-----------] 5/11  1 failed  2.5/s  node-1111 3+2  node-2222 2 (down)",
  );
});

Deno.test("`progressLine()` shows re-runs only when there are some", () => {
  assert.match(progressLine(progress({ rerun: 2 }), 120), / 1 failed {2}2 re-run {2}2\.5\/s /);
});

Deno.test("`progressLine()` fits the terminal so it can be redrawn in place", () => {
  const line = progressLine(progress(), 40);
  assert.equal(line.length, 39);
  assert.ok(line.endsWith("..."));
});

Deno.test("`progressLine()` copes with an empty batch and no time elapsed", () => {
  assert.match(
    progressLine(progress({ total: 0, done: 0, elapsedMs: 0, nodes: [] }), 80),
    /^\[#{20}\] 0\/0 .* 0\.0\/s$/,
  );
});

Deno.test("`itemLabel()` shows one argument as typed and several as a tuple", () => {
  assert.equal(itemLabel([{ type: "int", value: 16n, text: "0x10" }]), "0x10");
  assert.equal(
    itemLabel([{ type: "int", value: 1n, text: "1" }, { type: "string", value: 'a"\n' }]),
    '(1, "a\\"\\n")',
  );
  assert.equal(itemLabel([]), "()");
});
