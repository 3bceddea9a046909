// A connected pair of real TCP sockets on a free loopback port, for protocol tests.

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
