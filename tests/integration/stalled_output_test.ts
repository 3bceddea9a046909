// A node whose own standard output nobody reads (`| less` paused, a stalled ssh) keeps serving
// its peers and GPMD: output to the terminal never blocks its event loop.
import assert from "node:assert/strict";
import { HEARTBEAT_DEAD_MS } from "../../lib/limits.ts";
import { FIXTURES_DIR, gvmCommand, OutputWatch, tempHome, TestGpmd, TestNode } from "./_harness.ts";

Deno.test("a node whose stdout is not read keeps answering peers and stays registered", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const child = gvmCommand(
    ["--gpmd", gpmd.address, "--modules", FIXTURES_DIR, "--name", "node-stuck"],
    {
      env: { GHOST_HOME: home.path, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    },
  ).spawn();
  const errors = new OutputWatch(child.stderr);
  const input = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  try {
    // Read until the flood has begun, then never read again: the pipe fills at once.
    await input.write(new TextEncoder().encode("flood.run(2000)\n"));
    let seen = "";
    while (!seen.includes("xxxx")) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the node ended: ${errors.text}`);
      seen += new TextDecoder().decode(value);
    }
    await using peer = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
    // Long enough for heartbeats to have been missed, were the node's event loop blocked.
    const until = Date.now() + HEARTBEAT_DEAD_MS + 1_000;
    let runs = 0;
    while (Date.now() < until || runs < 3) {
      const from = peer.stdout.text.length;
      await peer.send("Node.run(node-stuck, spin.count(7))");
      await peer.stdout.waitFor(/\n7\n/, from, 5_000);
      runs++;
    }
    const discovered = await peer.command("Node.discover()", "\n");
    assert.ok(discovered.split(",").map((n) => n.trim()).includes("node-stuck"), discovered);
    assert.equal(peer.stderr.text.includes("error:"), false, peer.stderr.text);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel().catch(() => {});
    await errors.done;
  }
});
