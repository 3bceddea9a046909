// The wire fuzzer (scripts/fuzz.ts, `deno task fuzz`) in a short, fixed-seed run: it must end by
// itself, exit 0, and print its summary with every check passed.
import assert from "node:assert/strict";

const FUZZ = new URL("../../scripts/fuzz.ts", import.meta.url).pathname;

Deno.test("deno task fuzz: 1,000 seeded hostile connections leave GPMD and a node serving", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--v8-flags=--expose-gc",
      FUZZ,
      "--connections",
      "1000",
      "--seed",
      "1",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  const summary = out.trimEnd().split("\n").pop() ?? "";
  console.log(summary);
  assert.equal(code, 0, `${out}\n${err}`);
  assert.match(out, /^fuzz: seed 1, 1000 connections, /);
  assert.match(summary, /^fuzz: seed=1 connections=1000 .*authenticated=500 /);
  assert.match(summary, / hangs=0 unhandled=0 /);
  assert.match(summary, / heap-before=[\d.]+MiB heap-after=[\d.]+MiB /);
  assert.match(summary, / result=PASS$/);
});
