// Liveness runs on the monotonic clock: a step of the wall clock (NTP, a resumed VM, an
// operator's `date -s`) must not look like 30 s of silence.
import assert from "node:assert/strict";
import { Connection } from "../../lib/protocol/connection.ts";

Deno.test("`Connection` heartbeats survive a +30 s step of the wall clock", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  // The client checks liveness every 20 ms and gives up after 10 s of silence; the server
  // stays quiet (no heartbeats), so only the clock can make the client give up.
  const client = new Connection(
    await Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
    { heartbeatMs: 20, deadAfterMs: 10_000 },
  );
  const server = new Connection(await accepted, { heartbeatMs: 0 });
  server.start(() => {});
  client.start(() => {});
  const realNow = Date.now;
  try {
    Date.now = () => realNow() + 30_000;
    // A window of many heartbeat checks, each on the stepped wall clock: a negative assertion
    // needs a span of time to hold over.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const window = new Promise((resolve) => timer = setTimeout(resolve, 300));
    const reason = await Promise.race([client.closed, window]);
    clearTimeout(timer);
    assert.equal(reason, undefined, `closed: ${(reason as Error | undefined)?.message}`);
    assert.ok(client.isOpen);
  } finally {
    Date.now = realNow;
    client.close();
    server.close();
  }
});
