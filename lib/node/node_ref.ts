import { GvmError } from "../errors.ts";
import { DEFAULT_GPMD_PORT } from "../protocol/limits.ts";

/** A node as the user names it: `node-8399` (this GPMD) or `node-8399@host[:port]`. */
export interface NodeRef {
  name: string;
  /** The host whose GPMD knows the node; absent for nodes of the local GPMD. */
  host?: string;
  /** That GPMD's port. */
  port: number;
  /** How the node is listed: the short name, or `name@host[:port]`. */
  key: string;
}

/**
 * Parses a node name as typed at the prompt.
 *
 * @example
 * ```ts
 * parseNodeRef("node-8399@10.0.0.2"); // { name: "node-8399", host: "10.0.0.2", port: 5989, key: "node-8399@10.0.0.2" }
 * ```
 */
export function parseNodeRef(text: string): NodeRef {
  const at = text.indexOf("@");
  if (at === -1) return { name: text, port: DEFAULT_GPMD_PORT, key: text };
  const name = text.slice(0, at);
  const match = /^(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(text.slice(at + 1));
  if (name === "" || !match) {
    throw new GvmError("BAD_ARGS", `Cannot read node name '${text}': use name or name@host[:port]`);
  }
  const host = match[1].replace(/^\[|\]$/g, "");
  const port = match[2] === undefined ? DEFAULT_GPMD_PORT : Number(match[2]);
  if (port < 1 || port > 65535) throw new GvmError("BAD_ARGS", `Bad port in '${text}'`);
  return { name, host, port, key: hostLabel(name, host, port) };
}

/** `name@host`, with `:port` when the GPMD is not on the default port. */
export function hostLabel(name: string, host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === DEFAULT_GPMD_PORT ? `${name}@${shown}` : `${name}@${shown}:${port}`;
}

/** Whether `host` is a loopback address, which means nothing to another machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}

const NODE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

/** Whether `value` is a valid short node name: letters, digits, `_ . -`, at most 64. */
export function isNodeName(value: unknown): value is string {
  return typeof value === "string" && NODE_NAME.test(value);
}

/** Whether `value` is a valid `name@host[:port]`. */
export function isRemoteNodeName(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const at = value.indexOf("@");
  return at > 0 && isNodeName(value.slice(0, at)) && HOST.test(value.slice(at + 1));
}

/** Whether `value` looks like a node id (a UUID). */
export function isNodeId(value: unknown): value is string {
  return typeof value === "string" && /^[0-9A-Fa-f-]{1,64}$/.test(value);
}

/** Whether `value` is a host name or address a node may register under. */
export function isHost(value: unknown): value is string {
  return typeof value === "string" && HOST.test(value);
}
