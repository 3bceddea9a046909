// The soak (scripts/soak.ts, `deno task soak`) in a short run with few calls: it must end by
// itself, exit 0, and report the survivor's and GPMD's memory and open files with no growth
// beyond 20%, through GPMD and peer restarts.
import assert from "node:assert/strict";
import { runScript } from "./_harness.ts";

Deno.test("deno task soak: 24 s of calls and reconnections through GPMD and peer restarts", async () => {
  const args = ["--seconds", "24", "--warmup", "12", "--calls", "2", "--peer-restart-ms", "2000"];
  const { code, out, err, summary } = await runScript("soak", args);
  assert.equal(code, 0, `${out}\n${err}`);
  assert.match(summary, /^soak: seconds=24 rounds=\d+ calls=[1-9]\d* remote-runs=[1-9]\d* /);
  assert.match(summary, / gpmd-restarts=1 /);
  assert.ok(Number(/ peer-restarts=(\d+) /.exec(summary)?.[1]) >= 3, summary);
  assert.match(summary, / node-rss=[\d.]+MiB->[\d.]+MiB node-fds=\d+->\d+ /);
  assert.match(summary, / gpmd-rss=[\d.]+MiB->[\d.]+MiB gpmd-fds=\d+->\d+ /);
  assert.match(summary, / result=PASS$/);
});
