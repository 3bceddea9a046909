// Defects found by trying the product from outside, each pinned by the command that showed it.
import assert from "node:assert/strict";
import { runGvm, tempHome, TestGpmd } from "./_harness.ts";

Deno.test("a second gvm gpmd start in the same home is one error line, not two nested", async () => {
  await using home = await tempHome();
  await using _gpmd = await TestGpmd.start(home.path);
  const again = await runGvm(["gpmd", "start", "--port", "0"], { home: home.path });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: [A-Z_]+: Another GPMD \(pid \d+, port \d+\)/);
  assert.equal(again.stderr.match(/error:/g)?.length, 1, again.stderr);
  assert.equal(again.stderr.trimEnd().split("\n").length, 1, again.stderr);
});
