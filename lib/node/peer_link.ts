import { GvmError } from "../errors.ts";
import { Connection, type MessageHandler } from "../protocol/connection.ts";
import {
  clientHandshake,
  handshakeDeadline,
  serverHandshake,
  timeLeft,
} from "../protocol/handshake.ts";
import { formatHostPort, isNodeId, isNodeName, isRemoteNodeName } from "../names.ts";
import { HANDSHAKE_TIMEOUT_MS } from "../limits.ts";
import { dial, type TlsConfig } from "../protocol/transport.ts";

/** Who is at the other end of a peer connection. */
export interface PeerIdentity {
  name: string;
  id: string;
}

/** A peer connection that passed the cookie handshake and the join exchange. */
export interface Peer extends PeerIdentity {
  conn: Connection;
  /** Whether we dialled it (`out`) or it dialled us (`in`). */
  direction: "in" | "out";
}

/**
 * Dials a node, proves the cookie both ways and asks to join; the node confirms with its own
 * identity, which must be the name we looked up. `handler` receives the peer's requests.
 *
 * @example
 * ```ts
 * const peer = await dialPeer({ host, port, expected: "node-8399", self, cookie, handler });
 * ```
 */
export async function dialPeer(options: {
  host: string;
  port: number;
  expected: string;
  self: PeerIdentity;
  cookie: string;
  handler: MessageHandler;
  /** How we list the peer. @default {options.expected} */
  key?: string;
  /** How the peer should list us when we reach it through another host's GPMD. */
  via?: string;
  tls?: TlsConfig;
  maxFrameBytes?: number;
}): Promise<Peer> {
  let socket: Deno.Conn;
  try {
    socket = await dial(options.host, options.port, options.tls);
  } catch (error) {
    if (error instanceof GvmError) throw error;
    throw new GvmError(
      "PEER_DOWN",
      `Cannot reach ${options.expected} at ${formatHostPort(options.host, options.port)}: ${
        (error as Error).message
      }`,
    );
  }
  const conn = new Connection(socket, { maxFrameBytes: options.maxFrameBytes });
  try {
    await clientHandshake(conn, options.cookie);
    conn.start(options.handler);
    const reply = await conn.request(
      { t: "join", name: options.self.name, nodeId: options.self.id, via: options.via },
      { timeoutMs: HANDSHAKE_TIMEOUT_MS },
    );
    if (reply.name !== options.expected) {
      throw new GvmError(
        "CONNECTION_DENIED",
        `The node at ${formatHostPort(options.host, options.port)} is ${
          String(reply.name)
        }, not ${options.expected}`,
      );
    }
    return { name: options.key ?? reply.name, id: reply.nodeId, conn, direction: "out" };
  } catch (error) {
    conn.close();
    throw error;
  }
}

/**
 * The answering side of {@linkcode dialPeer}: handshake, then confirm or deny the join.
 * `admit` returns the reason to deny, or undefined to confirm.
 *
 * @example
 * ```ts
 * const peer = await acceptPeer(socket, { self, cookie, admit: () => undefined });
 * ```
 */
export async function acceptPeer(socket: Deno.Conn, options: {
  self: PeerIdentity;
  cookie: string;
  admit: (who: PeerIdentity) => GvmError | undefined;
  maxFrameBytes?: number;
}): Promise<Peer> {
  const conn = new Connection(socket, { maxFrameBytes: options.maxFrameBytes });
  // One limit for the cookie exchange and the join together, however slowly each step comes.
  const deadline = handshakeDeadline();
  await serverHandshake(conn, options.cookie, deadline);
  const join = await conn.next(timeLeft(deadline)).catch((error) => {
    conn.close();
    throw error;
  });
  const valid = join.t === "join" && isNodeName(join.name) && isNodeId(join.nodeId) &&
    (join.via === undefined || isRemoteNodeName(join.via));
  if (join.t !== "join" || !valid) {
    const error = new GvmError("PROTOCOL_ERROR", "Expected a join request with a valid name");
    if (join.id === undefined) conn.sendError(error);
    else conn.replyError(join.id, error);
    await conn.closeAfterFlush();
    throw error;
  }
  const nodeId = join.nodeId;
  // Other hosts' nodes are listed as name@host, as the user would name them from here.
  const name = join.via ?? join.name;
  const denial = options.admit({ name, id: nodeId });
  if (denial) {
    conn.replyError(join.id, denial);
    await conn.closeAfterFlush();
    throw denial;
  }
  conn.reply(join.id, { name: options.self.name, nodeId: options.self.id });
  return { name, id: nodeId, conn, direction: "in" };
}
