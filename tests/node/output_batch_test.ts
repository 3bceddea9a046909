import assert from "node:assert/strict";
import { Connection } from "../../lib/protocol/connection.ts";
import type { StreamEvent } from "../../lib/protocol/messages.ts";
import { OutputBatch } from "../../lib/node/output_batch.ts";
import { connectionPair } from "../protocol/_socket_pair.ts";

/** Two started connections over loopback; `serve` answers the client's calls. */
async function pair(serve: (id: number | undefined, conn: Connection) => void) {
  const { client, server } = await connectionPair();
  server.start((message, conn) => {
    if (message.t === "call") serve(message.id, conn);
  });
  client.start(() => {});
  return {
    client,
    [Symbol.dispose]() {
      client.close();
      server.close();
    },
  };
}

const call = { t: "call", callId: "c", module: "m", args: new Uint8Array(0) } as const;
const text = new TextEncoder();

Deno.test("`OutputBatch` puts a quick call's small writes into its reply: one frame, in order", async () => {
  using link = await pair((id, conn) => {
    const output = new OutputBatch(conn, id);
    for (let i = 0; i < 100; i++) output.write(1, text.encode(`line ${i}\n`));
    output.write(2, text.encode("warning\n"));
    output.write(1, text.encode("last\n"));
    conn.reply<"call">(id, { values: new Uint8Array(0), out: output.take() });
  });
  const events: StreamEvent[] = [];
  const reply = await link.client.request(call, { onEvent: (e) => events.push(e) });
  assert.equal(events.length, 0, "no separate output frames");
  const out = reply.out ?? [];
  assert.deepEqual(out.map(([fd]) => fd), [1, 2, 1], "runs per stream, in order");
  const decoder = new TextDecoder();
  assert.equal(decoder.decode(out[0][1]).split("\n").length, 101);
  assert.equal(decoder.decode(out[2][1]), "last\n");
});

Deno.test("`OutputBatch` sends large output at once, ahead of the reply", async () => {
  using link = await pair((id, conn) => {
    const output = new OutputBatch(conn, id);
    output.write(1, new Uint8Array(200 * 1024).fill(65));
    output.write(1, text.encode("tail\n"));
    conn.reply<"call">(id, { values: new Uint8Array(0), out: output.take() });
  });
  const events: StreamEvent[] = [];
  const reply = await link.client.request(call, { onEvent: (e) => events.push(e) });
  assert.equal(events.length, 1);
  assert.equal(events[0].data.length, 200 * 1024);
  assert.deepEqual(reply.out?.map(([, data]) => data.length), [5]);
});

Deno.test("`OutputBatch` sends output gathered by a slow call within milliseconds", async () => {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => finish = resolve);
  using link = await pair((id, conn) => {
    const output = new OutputBatch(conn, id);
    output.write(1, text.encode("early\n"));
    finished.then(() => conn.reply<"call">(id, { values: new Uint8Array(0), out: output.take() }));
  });
  let streamed!: () => void;
  const arrived = new Promise<void>((resolve) => streamed = resolve);
  const reply = link.client.request(call, { onEvent: () => streamed() });
  await arrived; // The call has not finished: the early line came on its own.
  finish();
  assert.equal((await reply).out, undefined);
});
