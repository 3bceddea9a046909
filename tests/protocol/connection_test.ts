import assert from "node:assert/strict";
import { GvmError } from "../../lib/errors.ts";
import { Connection } from "../../lib/protocol/connection.ts";
import { encodeMessage } from "../../lib/protocol/messages.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { connectionPair, socketPair } from "./_socket_pair.ts";

Deno.test("`Connection.request()` resolves with the checked reply body", async () => {
  using pair = await connectionPair();
  pair.server.start((message, conn) => {
    if (message.t === "discover") conn.reply<"discover">(message.id, { names: ["a", "b"] });
  });
  pair.client.start(() => {});
  assert.deepEqual(await pair.client.request({ t: "discover" }), { names: ["a", "b"] });
});

Deno.test("`Connection.request()` rejects with the code of an error reply, and its exit code", async () => {
  using pair = await connectionPair();
  pair.server.start((message, conn) => {
    if (message.t === "lookup") {
      conn.send({
        t: "reply",
        id: message.id!,
        ok: false,
        code: "NODE_NOT_FOUND",
        message: "no x",
      });
    } else if (message.t === "discover") {
      conn.send({
        t: "reply",
        id: message.id!,
        ok: false,
        code: "EXIT_CODE",
        message: "exited",
        exitCode: 3,
      });
    } else if (message.t === "status") {
      conn.send({ t: "reply", id: message.id!, ok: false, code: "NO_SUCH_CODE", message: "x" });
    }
  });
  pair.client.start(() => {});
  await assertRejectsGvmError(
    pair.client.request({ t: "lookup", name: "x" }),
    "NODE_NOT_FOUND",
    "no x",
  );
  const exit = await assertRejectsGvmError(pair.client.request({ t: "discover" }), "EXIT_CODE");
  assert.equal(exit.exitCode, 3);
  // An unknown code from the other side does not pass for a known one.
  await assertRejectsGvmError(pair.client.request({ t: "status" }), "PROTOCOL_ERROR");
});

Deno.test("`Connection.request()` rejects a reply whose body does not match its type", async () => {
  using pair = await connectionPair();
  pair.server.start((message, conn) => {
    if (message.t === "discover") conn.send({ t: "reply", id: message.id!, ok: true, body: {} });
  });
  pair.client.start(() => {});
  await assertRejectsGvmError(pair.client.request({ t: "discover" }), "PROTOCOL_ERROR");
});

Deno.test("`Connection.request()` times out with TIMEOUT naming the request", async () => {
  using pair = await connectionPair();
  pair.server.start(() => {}); // Never answers.
  pair.client.start(() => {});
  await assertRejectsGvmError(
    pair.client.request({ t: "discover" }, { timeoutMs: 30 }),
    "TIMEOUT",
    "No reply to 'discover' within 30 ms",
  );
});

Deno.test("`Connection.request()` rejects with CANCELLED when its signal aborts", async () => {
  using pair = await connectionPair();
  pair.server.start(() => {});
  pair.client.start(() => {});
  const abort = new AbortController();
  const request = pair.client.request({ t: "discover" }, { signal: abort.signal });
  abort.abort();
  await assertRejectsGvmError(request, "CANCELLED", "'discover' was cancelled");
});

Deno.test("`Connection.request()` hands stream events for its id to `onEvent` before the reply", async () => {
  using pair = await connectionPair();
  pair.server.start((message, conn) => {
    if (message.t !== "discover" || message.id === undefined) return;
    conn.send({ t: "out", re: message.id, fd: 1, data: new Uint8Array([104, 105]) });
    conn.send({ t: "out", re: message.id + 100, fd: 1, data: new Uint8Array([1]) }); // Not ours.
    conn.reply<"discover">(message.id, { names: [] });
  });
  pair.client.start(() => {});
  const events: unknown[] = [];
  await pair.client.request({ t: "discover" }, { onEvent: (event) => events.push(event) });
  assert.equal(events.length, 1);
  assert.deepEqual((events[0] as { data: Uint8Array }).data, new Uint8Array([104, 105]));
});

Deno.test("`Connection.close()` fails pending requests with PEER_DOWN, or the error given", async () => {
  using pair = await connectionPair();
  pair.server.start(() => {});
  pair.client.start(() => {});
  const pending = pair.client.request({ t: "discover" });
  pair.client.close();
  await assertRejectsGvmError(pending, "PEER_DOWN", "Connection closed");
  assert.equal(pair.client.isOpen, false);
  assert.equal(await pair.client.closed, undefined);
  await assertRejectsGvmError(pair.client.request({ t: "discover" }), "PEER_DOWN");
  pair.client.send({ t: "hb" }); // Sending on a closed connection is a no-op, not a throw.
  const given = pair.server.request({ t: "discover" });
  pair.server.close(new GvmError("IO_ERROR", "bye"));
  await assertRejectsGvmError(given, "IO_ERROR", "bye");
  assert.equal((await pair.server.closed)?.code, "IO_ERROR");
});

Deno.test("`Connection` closes with the peer: pending requests fail, `closed` resolves clean", async () => {
  using pair = await connectionPair();
  pair.server.start(() => {});
  pair.client.start(() => {});
  const pending = pair.client.request({ t: "discover" });
  pair.server.close();
  await assertRejectsGvmError(pending, "PEER_DOWN");
  assert.equal(await pair.client.closed, undefined);
});

Deno.test("`Connection.next()` reads messages in order before `start()`, and times out", async () => {
  using pair = await connectionPair();
  pair.client.send({ t: "welcome" });
  pair.client.send({ t: "hb" }); // Heartbeats are never handed out.
  pair.client.send({ t: "auth", proof: "ab" });
  assert.deepEqual(await pair.server.next(1000), { t: "welcome" });
  assert.deepEqual(await pair.server.next(1000), { t: "auth", proof: "ab" });
  await assertRejectsGvmError(pair.server.next(20), "TIMEOUT", "No message within 20 ms");
  pair.client.close();
  await assertRejectsGvmError(pair.server.next(1000), "PEER_DOWN");
});

Deno.test("`Connection.start()` hands the handler messages queued before it", async () => {
  using pair = await connectionPair();
  pair.client.send({ t: "cancel", callId: "c" });
  pair.client.send({ t: "welcome" });
  // Reading the second message means the first was queued before start().
  pair.client.send({ t: "auth", proof: "ab" });
  const handled: string[] = [];
  const done = new Promise<void>((resolve) => {
    pair.server.start((message) => {
      handled.push(message.t);
      if (message.t === "ping") resolve();
    });
  });
  pair.client.send({ t: "ping", id: 1 });
  await done;
  // Handshake messages after the handshake are dropped; the rest keep their order.
  assert.deepEqual(handled, ["cancel", "ping"]);
});

Deno.test("`Connection` drops a peer silent past `deadAfterMs` with PEER_DOWN", async () => {
  using pair = await connectionPair({ heartbeatMs: 10, deadAfterMs: 60 });
  pair.server.start(() => {}); // No heartbeats from this side.
  pair.client.start(() => {});
  const reason = await pair.client.closed;
  assert.equal(reason?.code, "PEER_DOWN");
  assert.match(reason!.message, /No heartbeat for 60 ms/);
});

Deno.test("`Connection` answers nothing to a message without an id, and ignores late replies", async () => {
  using pair = await connectionPair();
  const got: string[] = [];
  const pinged = new Promise<void>((resolve) =>
    pair.client.start((message) => {
      got.push(message.t);
      if (message.t === "ping") resolve();
    })
  );
  pair.server.start(() => {});
  pair.server.replyError(undefined, new Error("x")); // No id: nothing sent.
  pair.server.send({ t: "reply", id: 12345, ok: true, body: {} }); // Nobody waits for it.
  pair.server.send({ t: "ping", id: 1 });
  await pinged;
  assert.deepEqual(got, ["ping"]);
});

Deno.test("`Connection` closes with BAD_FRAME on a frame larger than its cap", async () => {
  const sockets = await socketPair();
  using _ = sockets;
  const conn = new Connection(sockets.server, { heartbeatMs: 0, maxFrameBytes: 64 });
  conn.start(() => {});
  const big = encodeMessage({ t: "auth", proof: "a".repeat(200) });
  await sockets.client.write(big);
  const reason = await conn.closed;
  assert.equal(reason?.code, "BAD_FRAME");
});

Deno.test("`Connection.closeAfterFlush()` delivers the last error before hanging up", async () => {
  using pair = await connectionPair();
  pair.server.sendError(new Error("go away"));
  await pair.server.closeAfterFlush();
  const message = await pair.client.next(1000);
  assert.deepEqual(message, { t: "error", code: "INTERNAL", message: "go away" });
  assert.equal(pair.server.isOpen, false);
  assert.equal(pair.server.remoteAddr.hostname, "127.0.0.1");
});

Deno.test("`Connection.request()` with a signal aborted already rejects at once, sending nothing", async () => {
  using pair = await connectionPair();
  const seen: string[] = [];
  pair.server.start((message, conn) => {
    seen.push(message.t);
    if (message.t === "discover") conn.reply<"discover">(message.id, { names: [] });
  });
  pair.client.start(() => {});
  await assertRejectsGvmError(
    pair.client.request({ t: "lookup", name: "x" }, { signal: AbortSignal.abort() }),
    "CANCELLED",
    "'lookup' was cancelled",
  );
  // A later request's reply arrives after anything sent before it.
  await pair.client.request({ t: "discover" });
  assert.deepEqual(seen, ["discover"]);
});
