import assert from "node:assert/strict";
import { Connection } from "../../lib/protocol/connection.ts";
import {
  clientHandshake,
  handshakeDeadline,
  PROTOCOL_VERSION,
  serverHandshake,
  timeLeft,
} from "../../lib/protocol/handshake.ts";
import { HANDSHAKE_TIMEOUT_MS } from "../../lib/limits.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { connectionPair, socketPair } from "./_socket_pair.ts";

Deno.test("`clientHandshake()` and `serverHandshake()` agree on a shared cookie", async () => {
  using p = await connectionPair();
  await Promise.all([clientHandshake(p.client, "secret"), serverHandshake(p.server, "secret")]);
  assert.ok(p.client.isOpen && p.server.isOpen);
});

Deno.test("`serverHandshake()` refuses a wrong cookie; the client learns it first", async () => {
  using p = await connectionPair();
  const server = serverHandshake(p.server, "theirs");
  // The client checks the server's proof before sending its own, so it is the one to notice.
  await assertRejectsGvmError(
    clientHandshake(p.client, "mine"),
    "AUTH_FAILED",
    "does not share our cookie",
  );
  p.client.close();
  // The client hung up mid-handshake: the server sees the connection end.
  await assertRejectsGvmError(server, "PEER_DOWN");
  assert.equal(p.server.isOpen, false);
});

Deno.test("`serverHandshake()` tells a client with the wrong proof why, and closes", async () => {
  using p = await connectionPair();
  const server = serverHandshake(p.server, "secret");
  p.client.send({ t: "hello", v: PROTOCOL_VERSION, nonce: "ab".repeat(16) });
  const challenge = await p.client.next(1000);
  assert.equal(challenge.t, "challenge");
  p.client.send({ t: "auth", proof: "00".repeat(32) });
  await assertRejectsGvmError(server, "AUTH_FAILED", "Wrong cookie: access denied");
  assert.deepEqual(await p.client.next(1000), {
    t: "error",
    code: "AUTH_FAILED",
    message: "Wrong cookie: access denied",
  });
  assert.equal(await p.server.closed.then((e) => e?.code), "AUTH_FAILED");
});

Deno.test("`serverHandshake()` refuses another protocol version and a malformed nonce", async () => {
  {
    using p = await connectionPair();
    const server = serverHandshake(p.server, "secret");
    p.client.send({ t: "hello", v: PROTOCOL_VERSION + 1, nonce: "ab".repeat(16) });
    await assertRejectsGvmError(
      server,
      "AUTH_FAILED",
      `Unsupported protocol version ${PROTOCOL_VERSION + 1}`,
    );
  }
  {
    using p = await connectionPair();
    const server = serverHandshake(p.server, "secret");
    p.client.send({ t: "hello", v: PROTOCOL_VERSION, nonce: "AB".repeat(16) });
    await assertRejectsGvmError(server, "AUTH_FAILED", "Malformed hello");
  }
});

Deno.test("`serverHandshake()` refuses a first message that is not hello", async () => {
  using p = await connectionPair();
  const server = serverHandshake(p.server, "secret");
  p.client.send({ t: "ping", id: 1 });
  await assertRejectsGvmError(server, "AUTH_FAILED", "Handshake expected 'hello', got 'ping'");
});

Deno.test("`serverHandshake()` gives up on a silent client at its deadline", async () => {
  using p = await connectionPair();
  const deadline = performance.now() + 30;
  await assertRejectsGvmError(
    serverHandshake(p.server, "secret", deadline),
    "AUTH_FAILED",
    "Handshake timed out",
  );
});

Deno.test("`clientHandshake()` turns an error notice into its code", async () => {
  {
    using p = await connectionPair();
    const client = clientHandshake(p.client, "secret");
    await p.server.next(1000);
    p.server.send({ t: "error", code: "CONNECTION_DENIED", message: "too many" });
    await assertRejectsGvmError(client, "CONNECTION_DENIED", "too many");
  }
  {
    using p = await connectionPair();
    const client = clientHandshake(p.client, "secret");
    await p.server.next(1000);
    p.server.send({ t: "error", code: "AUTH_FAILED", message: "no" });
    await assertRejectsGvmError(client, "AUTH_FAILED", "no");
  }
});

Deno.test("`clientHandshake()` refuses a malformed challenge nonce", async () => {
  using p = await connectionPair();
  const client = clientHandshake(p.client, "secret");
  await p.server.next(1000);
  p.server.send({ t: "challenge", nonce: "xyz", proof: "00" });
  await assertRejectsGvmError(client, "AUTH_FAILED", "Malformed challenge");
});

Deno.test("`clientHandshake()` against bytes that are not frames hints at TLS", async () => {
  const sockets = await socketPair();
  using _ = sockets;
  const client = new Connection(sockets.client, { heartbeatMs: 0 });
  try {
    const handshake = clientHandshake(client, "secret");
    // A TLS alert record: its length prefix reads as a huge frame.
    await sockets.server.write(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
    await assertRejectsGvmError(handshake, "AUTH_FAILED", "if the other side uses TLS");
  } finally {
    client.close();
  }
});

Deno.test("`handshakeDeadline()` is one HANDSHAKE_TIMEOUT_MS away; `timeLeft()` never negative", () => {
  const deadline = handshakeDeadline();
  const left = timeLeft(deadline);
  assert.ok(left <= HANDSHAKE_TIMEOUT_MS && left > HANDSHAKE_TIMEOUT_MS - 1000, String(left));
  assert.equal(timeLeft(performance.now() - 5), 0);
});
