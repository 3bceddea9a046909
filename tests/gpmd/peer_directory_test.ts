import assert from "node:assert/strict";
import { GpmdClient } from "../../lib/gpmd/client.ts";
import { PeerDirectory } from "../../lib/gpmd/peer_directory.ts";
import { startGpmd } from "./_gpmd.ts";
import { logWatch } from "../_log_watch.ts";

/** Waits for `names()` to satisfy `ok`, one directory interval (5 ms) at a time. */
async function namesUntil(directory: PeerDirectory, ok: (names: string[]) => boolean) {
  const deadline = Date.now() + 10_000;
  while (!ok(directory.names())) {
    if (Date.now() > deadline) throw new Error(`names stayed ${directory.names()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("`PeerDirectory` lists a peer GPMD's nodes as name@host:port, and drops them when it goes", async () => {
  const peer = await startGpmd();
  await using node = await GpmdClient.connect({ address: peer.address, cookie: peer.cookie });
  await node.register({ name: "node-7", id: "b".repeat(32), host: "127.0.0.1", port: 4100 });
  const watch = logWatch();
  const directory = new PeerDirectory({
    peers: [peer.address],
    cookie: peer.cookie,
    intervalMs: 5,
    log: watch.log,
  });
  try {
    const label = `127.0.0.1:${peer.server.port}`;
    await watch.until(new RegExp(`following peer GPMD ${label}`));
    await namesUntil(directory, (names) => names.length > 0);
    assert.deepEqual(directory.names(), [`node-7@${label}`]);
    await peer[Symbol.asyncDispose]();
    await watch.until(new RegExp(`lost peer GPMD ${label}`));
    assert.deepEqual(directory.names(), []);
  } finally {
    directory.close();
  }
});

Deno.test("`PeerDirectory` logs why it cannot reach a peer, and lists nothing for it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const watch = logWatch();
  const directory = new PeerDirectory({
    peers: [{ host: "127.0.0.1", port }],
    cookie: "x",
    intervalMs: 5,
    log: watch.log,
  });
  try {
    await watch.until(/GPMD_NOT_RUNNING|No GPMD answers/);
    assert.deepEqual(directory.names(), []);
    assert.match(watch.lines[0], new RegExp(`^peer GPMD 127\\.0\\.0\\.1:${port}: No GPMD answers`));
  } finally {
    directory.close();
  }
});
