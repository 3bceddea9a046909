import { GvmError } from "../errors.ts";
import { DIAL_TIMEOUT_MS } from "../limits.ts";
import { formatHostPort } from "../names.ts";

/** PEM texts that switch a connection to TLS. */
export interface TlsConfig {
  /** This side's certificate chain. */
  cert: string;
  /** This side's private key. */
  key: string;
  /** The CA that signed the other side's certificate. */
  ca: string;
}

/**
 * Reads `--tls-cert`, `--tls-key` and `--tls-ca`: all three or none.
 *
 * @example
 * ```ts
 * const tls = await loadTls({ cert: "node.crt", key: "node.key", ca: "ca.crt" });
 * ```
 */
export async function loadTls(
  paths: { cert?: string; key?: string; ca?: string },
): Promise<TlsConfig | undefined> {
  const given = [paths.cert, paths.key, paths.ca].filter((p) => p !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 3) {
    throw new GvmError("BAD_FLAGS", "TLS needs all of --tls-cert, --tls-key and --tls-ca");
  }
  const read = async (path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new GvmError("BAD_FLAGS", `Cannot read ${path}: ${(error as Error).message}`);
    }
  };
  return { cert: await read(paths.cert!), key: await read(paths.key!), ca: await read(paths.ca!) };
}

/**
 * Listens over TCP, or TLS when `tls` is given.
 *
 * @example
 * ```ts
 * const listener = listen({ hostname: "127.0.0.1", port: 0 });
 * ```
 */
export function listen(
  address: { hostname: string; port: number },
  tls?: TlsConfig,
): Deno.Listener {
  try {
    return tls
      ? Deno.listenTls({ ...address, cert: tls.cert, key: tls.key })
      : Deno.listen(address);
  } catch (error) {
    const why = error instanceof Deno.errors.AddrInUse
      ? "already in use"
      : (error as Error).message;
    throw new GvmError(
      "IO_ERROR",
      `Cannot listen on ${formatHostPort(address.hostname, address.port)}: ${why}`,
    );
  }
}

/**
 * Connects over TCP, or TLS verified against the configured CA. A refused connection throws
 * `Deno.errors.ConnectionRefused` for the caller to name; a certificate the CA did not sign
 * throws `AUTH_FAILED`.
 *
 * @example
 * ```ts
 * const conn = await dial("127.0.0.1", 5989);
 * ```
 */
export async function dial(hostname: string, port: number, tls?: TlsConfig): Promise<Deno.Conn> {
  const connecting = tls
    ? Deno.connectTls({ hostname, port, caCerts: [tls.ca], cert: tls.cert, key: tls.key })
    : Deno.connect({ hostname, port });
  // An unreachable host can leave connect() waiting for minutes: give up much sooner.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      connecting.then((late) => late.close(), () => {});
      reject(new Deno.errors.TimedOut(`no answer within ${DIAL_TIMEOUT_MS} ms`));
    }, DIAL_TIMEOUT_MS);
  });
  const conn = await Promise.race([connecting, timeout]).finally(() => clearTimeout(timer));
  if (!tls) return conn;
  try {
    await (conn as Deno.TlsConn).handshake();
  } catch (error) {
    conn.close();
    throw new GvmError(
      "AUTH_FAILED",
      `TLS handshake with ${formatHostPort(hostname, port)} failed: ${(error as Error).message}`,
    );
  }
  return conn;
}
