// Strangers that connect and say nothing: GPMD and nodes keep accepting (a shortage of file
// descriptors included), keep their memory, and an honest client still gets in.
import assert from "node:assert/strict";
import { procStats } from "../../scripts/_proc_stats.ts";
import { runGvm, tempHome, TestGpmd, TestNode } from "./_harness.ts";

/** Opens `count` connections to `port` that never send a byte. */
async function silentConnections(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  // In batches: the kernel's accept queue is bounded, and a full one makes connect() wait.
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - i) },
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    );
    conns.push(...await Promise.all(batch));
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // Closed by the other side.
    }
  }
}

const LOW_FD_LIMIT = ["prlimit", "--nofile=128:128", "--"];

Deno.test("GPMD with 128 file descriptors and 200 silent connections still answers status", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path, 0, { prefix: LOW_FD_LIMIT });
  const silent = await silentConnections(gpmd.port, 200);
  try {
    const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /GPMD is running/);
  } finally {
    closeAll(silent);
  }
});

Deno.test("a node with 128 file descriptors and 200 silent connections still takes a peer", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using target = await TestNode.start(home.path, gpmd.address, { prefix: LOW_FD_LIMIT });
  await using caller = await TestNode.start(home.path, gpmd.address);
  const silent = await silentConnections(target.port, 200);
  try {
    const reply = await caller.command(`Node.connect(${target.name})`, /\n/);
    assert.equal(reply, `${target.name}\n`);
  } finally {
    closeAll(silent);
  }
});

Deno.test("2,000 silent connections cost GPMD little memory, and an honest client gets in", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const pid = gpmd.child.pid;
  const warm = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
  assert.equal(warm.code, 0, warm.stderr);
  const before = (await procStats(pid)).rssKiB;
  const silent = await silentConnections(gpmd.port, 2_000);
  try {
    // Accepted in order: once this one is answered, GPMD has taken all 2,000 before it.
    const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
    assert.equal(status.code, 0, status.stderr);
    const grownMiB = ((await procStats(pid)).rssKiB - before) / 1024;
    // Unbounded, each cost ~70 KiB (~140 MiB in all); bounded, ~30 MiB, mostly the runtime's own
    // per-socket cost and garbage not yet collected.
    assert.ok(grownMiB < 60, `GPMD grew by ${grownMiB.toFixed(1)} MiB`);
  } finally {
    closeAll(silent);
  }
});

Deno.test("2,000 silent connections cost a node little memory, and a peer gets in", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using target = await TestNode.start(home.path, gpmd.address);
  await using caller = await TestNode.start(home.path, gpmd.address);
  const before = (await procStats(target.child.pid)).rssKiB;
  const silent = await silentConnections(target.port, 2_000);
  try {
    // Accepted in order: once this peer is in, the node has taken all 2,000 before it.
    assert.equal(await caller.command(`Node.connect(${target.name})`, /\n/), `${target.name}\n`);
    const grownMiB = ((await procStats(target.child.pid)).rssKiB - before) / 1024;
    assert.ok(grownMiB < 60, `the node grew by ${grownMiB.toFixed(1)} MiB`);
  } finally {
    closeAll(silent);
  }
});
