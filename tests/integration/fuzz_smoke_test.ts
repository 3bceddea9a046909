// The wire fuzzer (scripts/fuzz.ts, `deno task fuzz`) in a short, fixed-seed run: it must end by
// itself, exit 0, and print its summary with every check passed.
import assert from "node:assert/strict";
import { runScript } from "./_harness.ts";

Deno.test("deno task fuzz: 1,000 seeded hostile connections leave GPMD and a node serving", async () => {
  const { code, out, err, summary } = await runScript(
    "fuzz",
    ["--connections", "1000", "--seed", "1"],
    ["--v8-flags=--expose-gc"],
  );
  assert.equal(code, 0, `${out}\n${err}`);
  assert.match(out, /^fuzz: seed 1, 1000 connections, /);
  assert.match(summary, /^fuzz: seed=1 connections=1000 .*authenticated=500 /);
  assert.match(summary, / hangs=0 unhandled=0 /);
  assert.match(summary, / heap-before=[\d.]+MiB heap-after=[\d.]+MiB /);
  assert.match(summary, / result=PASS$/);
});
