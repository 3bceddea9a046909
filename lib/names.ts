/**
 * Every naming rule in one place: node names and ids, node refs (`name@host[:port]`), hosts and
 * `host:port` (IPv6 in brackets), module names and versions. Parsing, checking and formatting of
 * each live here and nowhere else.
 *
 * @module
 */
import { GvmError } from "./errors.ts";
import { DEFAULT_GPMD_PORT } from "./limits.ts";

// --- Node names and ids -------------------------------------------------------------------------

const NODE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NODE_ID = /^[0-9A-Fa-f-]{1,64}$/;

/**
 * Whether `value` is a valid short node name: letters, digits, `_ . -`, at most 64.
 *
 * @example
 * ```ts
 * isNodeName("node-8399"); // true
 * ```
 */
export function isNodeName(value: unknown): value is string {
  return typeof value === "string" && NODE_NAME.test(value);
}

/**
 * Whether `value` looks like a node id (a UUID).
 *
 * @example
 * ```ts
 * isNodeId(crypto.randomUUID()); // true
 * ```
 */
export function isNodeId(value: unknown): value is string {
  return typeof value === "string" && NODE_ID.test(value);
}

// --- Hosts and host:port ------------------------------------------------------------------------

// What a node may register under: a bracketed IPv6 address or a DNS name / IPv4 address, with an
// optional port.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;
// The one way `host[:port]` text is split: `[IPv6]` or anything without a colon, then `:digits`.
const HOST_PORT = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/;

/**
 * Whether `value` is a host name or address a node may register under.
 *
 * @example
 * ```ts
 * isHost("10.0.0.2"); // true
 * ```
 */
export function isHost(value: unknown): value is string {
  return typeof value === "string" && HOST.test(value);
}

/**
 * Whether `host` is a loopback address, which means nothing to another machine.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * ```
 */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}

/**
 * Whether `host` means "every address of this machine" (`0.0.0.0`, `::`, or empty): a place to
 * listen, never an address to dial.
 *
 * @example
 * ```ts
 * isAnyAddress("0.0.0.0"); // true
 * ```
 */
export function isAnyAddress(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/**
 * The loopback address that reaches a server listening on `hostname` from its own machine
 * (`0.0.0.0` and `::` listen on every address); any other host is returned as is.
 *
 * @example
 * ```ts
 * reachableFromHere("0.0.0.0"); // "127.0.0.1"
 * ```
 */
export function reachableFromHere(hostname: string): string {
  return hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
}

// Splits `host[:port]` (host possibly `[IPv6]`, returned without brackets); undefined if unparsable.
function splitHostPort(text: string): { host: string; port?: number } | undefined {
  const match = HOST_PORT.exec(text);
  if (!match) return undefined;
  const host = match[1].replace(/^\[|\]$/g, "");
  return { host, port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * Parses `HOST:PORT`, `HOST`, `:PORT` or `[IPv6]:PORT`, filling in the defaults. `flag` names
 * what is being parsed in the error.
 *
 * @example
 * ```ts
 * parseHostPort("10.0.0.2:7000", { host: "127.0.0.1", port: 5989 }, "--gpmd");
 * // { host: "10.0.0.2", port: 7000 }
 * ```
 */
export function parseHostPort(
  text: string,
  defaults: { host: string; port: number },
  flag: string,
): { host: string; port: number } {
  const split = splitHostPort(text.trim());
  const port = split?.port ?? defaults.port;
  if (!split || !isPort(port, { allowZero: true })) {
    throw new GvmError("BAD_FLAGS", `Cannot parse ${flag} '${text}'`);
  }
  return { host: split.host || defaults.host, port };
}

// A host as it appears before `:port`: IPv6 addresses in brackets ("::1" → "[::1]").
function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * `host:port` (IPv6 in brackets); just the host when `port` is `omitPort`.
 *
 * @example
 * ```ts
 * formatHostPort("::1", 7000); // "[::1]:7000"
 * formatHostPort("10.0.0.2", 5989, 5989); // "10.0.0.2"
 * ```
 */
export function formatHostPort(host: string, port: number, omitPort?: number): string {
  return port === omitPort ? formatHost(host) : `${formatHost(host)}:${port}`;
}

/**
 * Whether `port` is a TCP port: an integer from 1 to 65535, or 0 ("any free port") with
 * `allowZero`.
 *
 * @example
 * ```ts
 * isPort(5989); // true
 * isPort(0, { allowZero: true }); // true
 * ```
 */
export function isPort(port: number, { allowZero = false } = {}): boolean {
  return Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65_535;
}

// --- Node refs ----------------------------------------------------------------------------------

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
  const split = splitHostPort(text.slice(at + 1));
  if (name === "" || !split || split.host === "" || split.host.includes("@")) {
    throw new GvmError("BAD_ARGS", `Cannot read node name '${text}': use name or name@host[:port]`);
  }
  const port = split.port ?? DEFAULT_GPMD_PORT;
  if (!isPort(port)) throw new GvmError("BAD_ARGS", `Bad port in '${text}'`);
  return { name, host: split.host, port, key: formatNodeRef(name, split.host, port) };
}

/**
 * `name@host`, with `:port` when the GPMD is not on the default port (IPv6 in brackets).
 *
 * @example
 * ```ts
 * formatNodeRef("node-8399", "::1", 7000); // "node-8399@[::1]:7000"
 * ```
 */
export function formatNodeRef(name: string, host: string, port: number): string {
  return `${name}@${formatHostPort(host, port, DEFAULT_GPMD_PORT)}`;
}

/**
 * The characters of a node ref typed bare at the prompt (`node-8399@10.0.0.2:7000`), as a
 * character class for lexers; a ref with an IPv6 host is quoted.
 */
export const NODE_REF_CHARS = "[A-Za-z0-9_.@:-]";

/**
 * Whether `value` is a valid `name@host[:port]`.
 *
 * @example
 * ```ts
 * isRemoteNodeName("node-8399@10.0.0.2:7000"); // true
 * ```
 */
export function isRemoteNodeName(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const at = value.indexOf("@");
  return at > 0 && isNodeName(value.slice(0, at)) && HOST.test(value.slice(at + 1));
}

// --- Modules and versions -----------------------------------------------------------------------

/**
 * The module-name rule without anchors, for lexers that match it at a cursor
 * (`new RegExp(MODULE_NAME_PATTERN, "y")`). Export names follow the same rule.
 */
export const MODULE_NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_-]*";
const MODULE_NAME = new RegExp(`^${MODULE_NAME_PATTERN}$`);
const VERSION = /^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/;

/**
 * Whether `name` can name a module: what the prompt parses and a file name can hold.
 *
 * @example
 * ```ts
 * isModuleName("math"); // true
 * ```
 */
export function isModuleName(name: string): boolean {
  return MODULE_NAME.test(name);
}

/**
 * Whether `version` looks like `v1.2.3` / `1.2.3-rc.1`.
 *
 * @example
 * ```ts
 * isVersion("v0.0.1"); // true
 * ```
 */
export function isVersion(version: string): boolean {
  return VERSION.test(version);
}
