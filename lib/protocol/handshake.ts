import { GvmError } from "../errors.ts";
import { toHex } from "../hash.ts";
import type { Connection } from "./connection.ts";
import { HANDSHAKE_TIMEOUT_MS } from "../limits.ts";
import type { Message, Notice, NoticeType } from "./messages.ts";

/** Wire version; a peer speaking another is refused during the handshake. */
export const PROTOCOL_VERSION = 1;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(cookie: string): Promise<CryptoKey> {
  let key = keys.get(cookie);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(cookie),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(cookie, key);
  }
  return key;
}

async function proof(cookie: string, label: string, a: string, b: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(cookie),
    encoder.encode(`${label}:${a}:${b}`),
  );
  return toHex(new Uint8Array(mac));
}

function nonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

// Constant time, so a wrong guess tells nothing about how much of it was right.
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** When a handshake that starts now must be over: one limit for all its steps. */
export function handshakeDeadline(): number {
  return performance.now() + HANDSHAKE_TIMEOUT_MS;
}

/** Time left until `deadline`, for the next step. */
export function timeLeft(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}

async function expect<T extends NoticeType>(
  conn: Connection,
  type: T,
  deadline: number,
): Promise<Notice<T>> {
  const message: Message = await conn.next(timeLeft(deadline)).catch((error) => {
    if (!(error instanceof GvmError)) throw error;
    if (error.code === "TIMEOUT") throw new GvmError("AUTH_FAILED", "Handshake timed out");
    if (error.code === "BAD_FRAME" || error.code === "PROTOCOL_ERROR") {
      // Most often a TLS server answering a plain client: its bytes are not GVM frames.
      throw new GvmError(
        "AUTH_FAILED",
        `Handshake failed: ${error.message} (if the other side uses TLS, pass --tls-cert, --tls-key and --tls-ca)`,
      );
    }
    throw error;
  });
  if (message.t === "error") {
    throw new GvmError(
      message.code === "AUTH_FAILED" ? "AUTH_FAILED" : "CONNECTION_DENIED",
      String(message.message ?? "Refused by the other side"),
    );
  }
  if (message.t === "invalid" && message.type === type) {
    throw new GvmError("AUTH_FAILED", `Malformed ${type}: ${message.reason}`);
  }
  if (message.t !== type) {
    const got = message.t === "invalid" ? message.type : message.t;
    throw new GvmError("AUTH_FAILED", `Handshake expected '${type}', got '${got}'`);
  }
  return message as Notice<T>;
}

function isNonce(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{32}$/.test(value);
}

/**
 * Proves to the listening side that we hold `cookie`, and checks that it does too
 * (HMAC-SHA256 over both sides' nonces). Throws `AUTH_FAILED` otherwise.
 *
 * @example
 * ```ts
 * await clientHandshake(connection, cookie);
 * connection.start(handler);
 * ```
 */
export async function clientHandshake(
  conn: Connection,
  cookie: string,
  deadline = handshakeDeadline(),
): Promise<void> {
  const clientNonce = nonce();
  conn.send({ t: "hello", v: PROTOCOL_VERSION, nonce: clientNonce });
  const challenge = await expect(conn, "challenge", deadline);
  if (!isNonce(challenge.nonce)) {
    throw new GvmError("AUTH_FAILED", "Malformed challenge");
  }
  const expected = await proof(cookie, "gvm-server", clientNonce, challenge.nonce);
  if (!sameText(expected, challenge.proof)) {
    throw new GvmError(
      "AUTH_FAILED",
      "The other side does not share our cookie (check GHOST_HOME/cookie on both sides)",
    );
  }
  conn.send({ t: "auth", proof: await proof(cookie, "gvm-client", challenge.nonce, clientNonce) });
  await expect(conn, "welcome", deadline);
}

/**
 * The listening side of {@linkcode clientHandshake}. On failure it tells the client why, closes
 * the connection and throws `AUTH_FAILED`.
 *
 * @example
 * ```ts
 * await serverHandshake(connection, cookie);
 * ```
 */
export async function serverHandshake(
  conn: Connection,
  cookie: string,
  deadline = handshakeDeadline(),
): Promise<void> {
  try {
    const hello = await expect(conn, "hello", deadline);
    if (hello.v !== PROTOCOL_VERSION) {
      throw new GvmError("AUTH_FAILED", `Unsupported protocol version ${String(hello.v)}`);
    }
    if (!isNonce(hello.nonce)) throw new GvmError("AUTH_FAILED", "Malformed hello");
    const serverNonce = nonce();
    conn.send({
      t: "challenge",
      nonce: serverNonce,
      proof: await proof(cookie, "gvm-server", hello.nonce, serverNonce),
    });
    const auth = await expect(conn, "auth", deadline);
    const expected = await proof(cookie, "gvm-client", serverNonce, hello.nonce);
    if (!sameText(expected, auth.proof)) {
      throw new GvmError("AUTH_FAILED", "Wrong cookie: access denied");
    }
    conn.send({ t: "welcome" });
  } catch (error) {
    const err = error instanceof GvmError ? error : new GvmError("AUTH_FAILED", String(error));
    conn.sendError(new GvmError("AUTH_FAILED", err.message));
    await conn.closeAfterFlush(err);
    throw err;
  }
}
