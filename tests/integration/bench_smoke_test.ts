// The bench itself is not run in CI (it measures, it does not test); this runs it with tiny
// counts to prove it still starts, measures every figure and writes its JSON.
import assert from "node:assert/strict";
import { tempHome } from "./_harness.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("deno task bench --quick prints the whole table and writes JSON", async () => {
  await using home = await tempHome();
  const json = `${home.path}/bench.json`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "bench", "--quick", "--no-erlang", "--no-pin", "--json", json],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  for (
    const figure of [
      "remote call p50",
      "remote call p99",
      "remote calls/s",
      "local call overhead",
      "compute fib",
      "compute i64loop",
      "compute f64loop",
      "GPMD look-up",
      "Node.connect",
      "start-up",
      "discover with",
      "RSS of an idle node",
      "module shipping",
      "Node.map",
      "Node.map scheduler cost",
    ]
  ) {
    assert.match(
      stdout,
      new RegExp(`\\| ${figure.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^|]*\\| \\d`),
      figure,
    );
  }
  const report = JSON.parse(await Deno.readTextFile(json));
  assert.ok(report.rows.length >= 13);
  assert.ok(
    report.rows.every((row: { gvm: { runs: number } | null }) =>
      row.gvm === null || row.gvm.runs >= 2
    ),
  );
});
