// A connected pair of real TCP sockets on a free loopback port, for protocol tests.
import { Connection } from "../../lib/protocol/connection.ts";

/** Two ends of one TCP connection; closing the pair closes both (ignoring ends already closed). */
export interface SocketPair extends Disposable {
  client: Deno.Conn;
  server: Deno.Conn;
}

/** Opens a listener on port 0, connects to it, and closes the listener. */
export async function socketPair(): Promise<SocketPair> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
  });
  const server = await accepted;
  return {
    client,
    server,
    [Symbol.dispose]() {
      for (const end of [client, server]) {
        try {
          end.close();
        } catch {
          // Closed by the code under test already.
        }
      }
    },
  };
}

/**
 * Two connections over one real socket, not yet started, with no heartbeat unless the client's
 * `options` say otherwise; disposing the pair closes both.
 */
export async function connectionPair(
  options: { heartbeatMs?: number; deadAfterMs?: number } = {},
) {
  const sockets = await socketPair();
  const client = new Connection(sockets.client, { heartbeatMs: 0, ...options });
  const server = new Connection(sockets.server, { heartbeatMs: 0 });
  return {
    client,
    server,
    [Symbol.dispose]() {
      client.close();
      server.close();
    },
  };
}
