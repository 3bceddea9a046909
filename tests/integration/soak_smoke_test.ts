// The soak (scripts/soak.ts, `deno task soak`) in a short run with few calls: it must end by
// itself, exit 0, and report the survivor's and GPMD's memory and open files with no growth
// beyond 20%, through GPMD and peer restarts.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";

const SOAK = new URL("../../scripts/soak.ts", import.meta.url).pathname;

Deno.test("deno task soak: 24 s of calls and reconnections through GPMD and peer restarts", async () => {
  const args = ["--seconds", "24", "--warmup", "12", "--calls", "2", "--peer-restart-ms", "2000"];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, SOAK, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  const summary = out.trimEnd().split("\n").pop() ?? "";
  console.log(summary);
  assert.equal(code, 0, `${out}\n${err}`);
  assert.match(summary, /^soak: seconds=24 rounds=\d+ calls=[1-9]\d* remote-runs=[1-9]\d* /);
  assert.match(summary, / gpmd-restarts=1 /);
  assert.ok(Number(/ peer-restarts=(\d+) /.exec(summary)?.[1]) >= 3, summary);
  assert.match(summary, / node-rss=[\d.]+MiB->[\d.]+MiB node-fds=\d+->\d+ /);
  assert.match(summary, / gpmd-rss=[\d.]+MiB->[\d.]+MiB gpmd-fds=\d+->\d+ /);
  assert.match(summary, / result=PASS$/);
});
