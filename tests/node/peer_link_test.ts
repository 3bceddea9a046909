import assert from "node:assert/strict";
import { GvmError } from "../../lib/errors.ts";
import { acceptPeer, dialPeer, type PeerIdentity } from "../../lib/node/peer_link.ts";
import { Connection } from "../../lib/protocol/connection.ts";
import { clientHandshake } from "../../lib/protocol/handshake.ts";
import { assertRejectsGvmError } from "../_assert.ts";

const A: PeerIdentity = { name: "node-a", id: crypto.randomUUID() };
const B: PeerIdentity = { name: "node-b", id: crypto.randomUUID() };
const COOKIE = "shared";

/** Node B listening on a free port; `accepted` settles with what acceptPeer gave. */
function listenB(admit: (who: PeerIdentity) => GvmError | undefined = () => undefined) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then((socket) =>
    acceptPeer(socket, { self: B, cookie: COOKIE, admit })
  );
  accepted.catch(() => {}); // Awaited by the tests that expect it to fail.
  return { listener, port: (listener.addr as Deno.NetAddr).port, accepted };
}

/** Node A dialling `port`, expecting node-b, with the shared cookie; `options` override. */
function dialB(port: number, options: Partial<Parameters<typeof dialPeer>[0]> = {}) {
  return dialPeer({
    host: "127.0.0.1",
    port,
    expected: "node-b",
    self: A,
    cookie: COOKIE,
    handler: () => {},
    ...options,
  });
}

Deno.test("`dialPeer()` and `acceptPeer()` join two nodes, each knowing the other", async () => {
  const b = listenB();
  using _ = b.listener;
  const dialled = await dialB(b.port);
  const accepted = await b.accepted;
  try {
    assert.deepEqual([dialled.name, dialled.id, dialled.direction], ["node-b", B.id, "out"]);
    assert.deepEqual([accepted.name, accepted.id, accepted.direction], ["node-a", A.id, "in"]);
  } finally {
    dialled.conn.close();
    accepted.conn.close();
  }
});

Deno.test("`acceptPeer()` lists a node reached through another host's GPMD by its `via` name", async () => {
  const b = listenB();
  using _ = b.listener;
  const dialled = await dialB(b.port, { key: "node-b@10.0.0.2", via: "node-a@10.0.0.1" });
  const accepted = await b.accepted;
  try {
    assert.equal(dialled.name, "node-b@10.0.0.2");
    assert.equal(accepted.name, "node-a@10.0.0.1");
  } finally {
    dialled.conn.close();
    accepted.conn.close();
  }
});

Deno.test("`dialPeer()` refuses a node that is not the one it looked up, with CONNECTION_DENIED", async () => {
  const b = listenB();
  using _ = b.listener;
  await assertRejectsGvmError(
    dialB(b.port, { expected: "node-c" }),
    "CONNECTION_DENIED",
    `The node at 127.0.0.1:${b.port} is node-b, not node-c`,
  );
  (await b.accepted).conn.close();
});

Deno.test("`acceptPeer()` denial reaches the dialler with its code", async () => {
  const b = listenB(() => new GvmError("NAME_TAKEN", "node-a is already connected"));
  using _ = b.listener;
  await assertRejectsGvmError(
    dialB(b.port),
    "NAME_TAKEN",
    "node-a is already connected",
  );
  await assertRejectsGvmError(b.accepted, "NAME_TAKEN");
});

Deno.test("`acceptPeer()` refuses a join with a bad name, or no join, with PROTOCOL_ERROR", async () => {
  for (const first of [{ t: "join", name: "bad name", nodeId: A.id }, { t: "ping" }] as const) {
    const b = listenB();
    using _ = b.listener;
    const conn = new Connection(
      await Deno.connect({ hostname: "127.0.0.1", port: b.port }),
      { heartbeatMs: 0 },
    );
    try {
      await clientHandshake(conn, COOKIE);
      conn.start(() => {});
      await assertRejectsGvmError(
        conn.request({ ...first, id: undefined }, { timeoutMs: 5000 }),
        "PROTOCOL_ERROR",
        "Expected a join request with a valid name",
      );
      await assertRejectsGvmError(b.accepted, "PROTOCOL_ERROR");
    } finally {
      conn.close();
    }
  }
});

Deno.test("`dialPeer()` to a closed port fails with PEER_DOWN naming the node", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assertRejectsGvmError(
    dialB(port),
    "PEER_DOWN",
    `Cannot reach node-b at 127.0.0.1:${port}`,
  );
});

Deno.test("`dialPeer()` with the wrong cookie fails with AUTH_FAILED", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using _ = listener;
  const accepted = listener.accept().then((socket) =>
    acceptPeer(socket, { self: B, cookie: "other", admit: () => undefined })
  );
  accepted.catch(() => {});
  await assertRejectsGvmError(
    dialB((listener.addr as Deno.NetAddr).port),
    "AUTH_FAILED",
  );
  await assert.rejects(accepted);
});
