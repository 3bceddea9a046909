import assert from "node:assert/strict";
import { acceptLoop } from "../../lib/protocol/accept_loop.ts";
import { HandshakeGate } from "../../lib/protocol/handshake_gate.ts";

function fakeSocket(): Deno.Conn & { closed: boolean } {
  const socket = { closed: false, close: () => socket.closed = true };
  return socket as unknown as Deno.Conn & { closed: boolean };
}

Deno.test("`acceptLoop()` keeps accepting after accept() fails, and stops when the listener closes", async () => {
  const socket = fakeSocket();
  const script: (() => Promise<Deno.Conn>)[] = [
    () => Promise.reject(new Error("Too many open files (os error 24)")),
    () => Promise.reject(new Error("Too many open files (os error 24)")),
    () => Promise.reject(new Error("Too many open files (os error 23)")),
    () => Promise.resolve(socket),
    () => Promise.reject(new Deno.errors.BadResource("Listener has been closed")),
  ];
  const accepted: Deno.Conn[] = [];
  const errors: string[] = [];
  const logs: string[] = [];
  await acceptLoop({ accept: () => script.shift()!() }, {
    onConnection: (conn) => accepted.push(conn),
    isClosing: () => false,
    log: (line) => logs.push(line),
    onError: (error) => errors.push(error.message),
    minBackoffMs: 1,
  });
  assert.deepEqual(accepted, [socket]);
  assert.equal(errors.length, 3);
  assert.equal(logs.length, 1, "one note, not one per failure");
  assert.match(logs[0], /accept failed.*Too many open files/);
});

Deno.test("`HandshakeGate` drops the oldest handshake past its limit, and says so once", () => {
  const logs: string[] = [];
  const gate = new HandshakeGate({ limit: 2, log: (line) => logs.push(line) });
  const [a, b, c, d] = [fakeSocket(), fakeSocket(), fakeSocket(), fakeSocket()];
  gate.enter(a);
  gate.enter(b);
  gate.leave(b); // Finished its handshake: no longer counted.
  gate.enter(c);
  assert.equal(gate.size, 2);
  gate.enter(d);
  assert.deepEqual([a.closed, b.closed, c.closed, d.closed], [true, false, false, false]);
  assert.ok(gate.wasShed(a) && !gate.wasShed(c));
  assert.equal(gate.shedOldest(5), 2);
  assert.ok(c.closed && d.closed);
  assert.equal(gate.size as number, 0);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /dropped 1 connection/);
});

Deno.test("`HandshakeGate.tighten()` frees the older half and keeps the cap there", () => {
  const gate = new HandshakeGate({ limit: 100 });
  const sockets = Array.from({ length: 20 }, fakeSocket);
  for (const socket of sockets) gate.enter(socket);
  gate.tighten();
  assert.deepEqual(sockets.map((s) => s.closed), sockets.map((_, i) => i < 10));
  assert.equal(gate.limit, 10);
  for (const socket of Array.from({ length: 5 }, fakeSocket)) gate.enter(socket);
  assert.equal(gate.size, 10);
});
