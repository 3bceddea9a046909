// A +30 s step of the wall clock (NTP, a resumed VM, `date -s`) on GPMD and both nodes, while a
// call is in flight: liveness runs on the monotonic clock, so the call ends as it would have
// (here: its own 5 s limit), the link stays, and GPMD keeps both registrations.
// libfaketime steps the wall clock of a running process when the file it reads changes.
import assert from "node:assert/strict";
import { FIXTURES_DIR, tempHome, TestGpmd, TestNode } from "./_harness.ts";

const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

Deno.test("a +30 s wall-clock step keeps the call in flight, the link and the registrations", async () => {
  assert.ok(
    await Deno.stat(LIBFAKETIME).then(() => true, () => false),
    `${LIBFAKETIME} is missing: apt-get install faketime`,
  );
  await using home = await tempHome();
  const clock = `${home.path}/faketime`;
  await Deno.writeTextFile(clock, "+0s\n");
  const prefix = [
    "env",
    `LD_PRELOAD=${LIBFAKETIME}`,
    `FAKETIME_TIMESTAMP_FILE=${clock}`,
    "FAKETIME_NO_CACHE=1",
    "FAKETIME_DONT_FAKE_MONOTONIC=1",
  ];
  const flags = { modules: FIXTURES_DIR, extra: ["--timeout", "5"], prefix };
  await using gpmd = await TestGpmd.start(home.path, 0, { prefix });
  await using a = await TestNode.start(home.path, gpmd.address, flags);
  await using b = await TestNode.start(home.path, gpmd.address, flags);
  assert.equal(await a.command(`Node.connect(${b.name})`, "\n"), `${b.name}\n`);

  const from = a.stderr.text.length;
  await a.command(`Node.run(${b.name}, spin.announce)`, "spinning\n");
  await Deno.writeTextFile(clock, "+30s\n");
  // The call runs on until its own limit, 5 s after it started: many heartbeats after the step.
  const ended = await a.stderr.waitFor(/error: ([A-Z_]+): [^\n]*\n/, from);
  assert.equal(ended[1], "TIMEOUT", ended[0]);
  assert.equal(await a.command("Node.list()", "\n"), `${b.name}\n`);
  const discovered = await a.command("Node.discover()", "\n");
  assert.deepEqual(discovered.trim().split(/,\s*/).sort(), [a.name, b.name].sort());
});
