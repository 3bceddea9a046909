// Every message GVM speaks, in one place (as epmd keeps its wire codes in one header): each type
// with its fields, and pure decoders that check them, so no handler reads an untyped bag.
// A payload is one MessagePack map whose `t` names its type; requests carry an integer `id`,
// and the answer is `reply` with the same id; `out` and `chunk` stream before a reply (`re`).
import { GvmError } from "../errors.ts";
import { type PackedFrame, packFrame, packWholeFrame, unpackValue } from "./codec.ts";

/** A live node as GPMD knows and lists it. */
export interface NodeEntry {
  /** The node's name, unique among GPMD's live nodes. */
  name: string;
  /** The node's id, fresh each time it starts (tells a restarted node from its old self). */
  id: string;
  /** The host peers dial to reach the node. */
  host: string;
  /** The port peers dial to reach the node. */
  port: number;
}

/** A stored module's name and versions. */
export interface ModuleListing {
  /** Module name. */
  name: string;
  /** Every stored version of it. */
  versions: string[];
  /** The version a bare name resolves to. */
  latest: string;
}

/** One stored version of a module, by name, version and content hash. */
export interface ModuleVersion {
  /** Module name. */
  name: string;
  /** Version, as uploaded. */
  version: string;
  /** Hex sha256 of the module body. */
  sha256: string;
}

/** A stored module version without its body: its identity and size. */
export interface ModuleHead extends ModuleVersion {
  /** Size of the body in bytes. */
  size: number;
}

/** GPMD's status figures. */
export interface GpmdStatus {
  /** GPMD's process id. */
  pid: number;
  /** The address GPMD listens on. */
  hostname: string;
  /** The port GPMD listens on. */
  port: number;
  /** When GPMD started, as an ISO 8601 time. */
  startedAt: string;
  /** Milliseconds since GPMD started. */
  uptimeMs: number;
  /** Names of the live nodes registered with this GPMD. */
  nodes: string[];
  /** How many modules the store holds (names, not versions). */
  modules: number;
  /** Module bodies served since start (each `module.get` that sent a body). */
  bodiesServed?: number;
}

/** Output produced by a call, as carried in its reply. */
export type OutputChunk = [fd: 1 | 2, data: Uint8Array];

/** Requests: what each carries. */
export interface Requests {
  join: { name: string; nodeId: string; via?: string };
  ping: Record<never, never>;
  call: {
    callId: string;
    module: string;
    fn?: string;
    /** Arguments in the wasm value encoding (lib/protocol/wasm_values.ts). */
    args: Uint8Array;
    sha256?: string;
    timeoutMs?: number;
    keep?: boolean;
    /** The call's environment, `NAME=VALUE`; absent: the serving node's own `--env`. */
    env?: string[];
    /** The call's standard input; absent: empty. */
    stdin?: Uint8Array;
  };
  /** A node asks its caller for a module body by hash: `chunk` events, then the reply. */
  "module.need": { sha256: string };
  register: { name: string; nodeId: string; host: string; port: number };
  discover: { local?: boolean };
  lookup: { name: string };
  status: Record<never, never>;
  stop: Record<never, never>;
  /** Stores the body sent before it as `module.part` messages with the same `upload`. */
  "module.put": { upload: number; name: string; version: string; size: number; sha256: string };
  "module.list": Record<never, never>;
  "module.rm": { name: string; version: string };
  /** A node's modules and their exports, for a peer's Tab completion. */
  modules: Record<never, never>;
  /** With `head`, metadata only; else the body follows as `chunk` events, then the reply. */
  "module.get": { name?: string; version?: string; sha256?: string; head?: boolean };
}

/** Replies: what each request's successful answer carries. */
export interface Replies {
  join: { name: string; nodeId: string };
  /** `cores`: how many calls the node runs at once, so a `Node.map` caller can place by load. */
  ping: { cores?: number };
  call: { values: Uint8Array; out?: OutputChunk[] };
  "module.need": { size: number };
  register: Record<never, never>;
  discover: { names: string[] };
  lookup: { node: NodeEntry };
  status: { status: GpmdStatus };
  stop: Record<never, never>;
  "module.put": ModuleVersion;
  "module.list": { modules: ModuleListing[] };
  "module.rm": Record<never, never>;
  modules: { modules: { name: string; exports: string[] }[] };
  "module.get": ModuleHead;
}

/** Messages that are not requests. */
export interface Notices {
  hello: { v: number; nonce: string };
  challenge: { nonce: string; proof: string };
  auth: { proof: string };
  welcome: Record<never, never>;
  /** Why the other side is hanging up. */
  error: { code: string; message: string };
  hb: Record<never, never>;
  cancel: { callId: string };
  /** A piece of an upload that a later `module.put` names. */
  "module.part": { upload: number; data: Uint8Array };
  /** Output of the call that request `re` started. */
  out: { re: number; fd: 1 | 2; data: Uint8Array };
  /** A piece of the module body that request `re` asked for. */
  chunk: { re: number; data: Uint8Array };
}

/** A request type name. */
export type RequestType = keyof Requests;
/** A notice type name. */
export type NoticeType = keyof Notices;

/** A request as sent or received. */
export type Request<T extends RequestType = RequestType> = {
  [K in T]: { t: K; id?: number } & Requests[K];
}[T];

/** A notice as sent or received. */
export type Notice<T extends NoticeType = NoticeType> = {
  [K in T]: { t: K; id?: number } & Notices[K];
}[T];

/** An answer to request `id`: success with fields for the requester to decode, or an error. */
export type Reply =
  | { t: "reply"; id: number; ok: true; body: Record<string, unknown> }
  | { t: "reply"; id: number; ok: false; code: string; message: string; exitCode?: number };

/**
 * A message whose type is unknown or whose fields are wrong: the receiver answers it with
 * `PROTOCOL_ERROR` (when it has an id) instead of hanging up, as a newer peer may send it.
 */
export interface Invalid {
  t: "invalid";
  /** The type it claimed. */
  type: string;
  id?: number;
  reason: string;
}

/** Any decoded message. */
export type Message = Request | Notice | Reply | Invalid;

/** A stream event: output or a body chunk for a pending request. */
export type StreamEvent = Notice<"out" | "chunk">;

// ---- Field checks -----------------------------------------------------------------------------

type Check = (value: unknown) => boolean;
type Checks<F> = { [K in keyof F]-?: Check };

const optional = (check: Check): Check => (v) => v === undefined || check(v);
const str: Check = (v) => typeof v === "string";
const int: Check = (v) => Number.isSafeInteger(v);
const num: Check = (v) => typeof v === "number";
const bool: Check = (v) => typeof v === "boolean";
const bytes: Check = (v) => v instanceof Uint8Array;
const list = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const record = <F>(checks: Checks<F>): Check => (v) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) &&
  Object.entries(checks as Record<string, Check>).every(([k, check]) =>
    check((v as Record<string, unknown>)[k])
  );
const fd: Check = (v) => v === 1 || v === 2;

const REQUEST_CHECKS: { [T in RequestType]: Checks<Requests[T]> } = {
  join: { name: str, nodeId: str, via: optional(str) },
  ping: {},
  call: {
    callId: str,
    module: str,
    fn: optional(str),
    args: bytes,
    sha256: optional(str),
    timeoutMs: optional(num),
    keep: optional(bool),
    env: optional(list(str)),
    stdin: optional(bytes),
  },
  "module.need": { sha256: str },
  register: { name: str, nodeId: str, host: str, port: int },
  discover: { local: optional(bool) },
  lookup: { name: str },
  status: {},
  stop: {},
  "module.put": { upload: int, name: str, version: str, size: int, sha256: str },
  "module.list": {},
  "module.rm": { name: str, version: str },
  modules: {},
  "module.get": {
    name: optional(str),
    version: optional(str),
    sha256: optional(str),
    head: optional(bool),
  },
};

const NOTICE_CHECKS: { [T in NoticeType]: Checks<Notices[T]> } = {
  hello: { v: num, nonce: str },
  challenge: { nonce: str, proof: str },
  auth: { proof: str },
  welcome: {},
  error: { code: str, message: str },
  hb: {},
  cancel: { callId: str },
  "module.part": { upload: int, data: bytes },
  out: { re: int, fd, data: bytes },
  chunk: { re: int, data: bytes },
};

const REPLY_CHECKS: { [T in RequestType]: Checks<Replies[T]> } = {
  join: { name: str, nodeId: str },
  ping: { cores: optional(int) },
  call: { values: bytes, out: optional(list((v) => Array.isArray(v) && fd(v[0]) && bytes(v[1]))) },
  "module.need": { size: int },
  register: {},
  discover: { names: list(str) },
  lookup: { node: record<NodeEntry>({ name: str, id: str, host: str, port: int }) },
  status: {
    status: record<GpmdStatus>({
      pid: int,
      hostname: str,
      port: int,
      startedAt: str,
      uptimeMs: num,
      nodes: list(str),
      modules: int,
      bodiesServed: optional(int),
    }),
  },
  stop: {},
  "module.put": { name: str, version: str, sha256: str },
  "module.list": {
    modules: list(record<ModuleListing>({ name: str, versions: list(str), latest: str })),
  },
  "module.rm": {},
  // Checked entry by entry where it is read (lib/node/module_index.ts): a peer's names.
  modules: { modules: (v) => Array.isArray(v) },
  "module.get": { name: str, version: str, sha256: str, size: int },
};

type CheckList = [field: string, check: Check][];

// The checks as lists, built once: decoding runs for every frame.
const listed = (table: Record<string, object>): Map<string, CheckList> =>
  new Map(Object.entries(table).map(([t, checks]) => [t, Object.entries(checks)]));
const REQUEST_LISTS = listed(REQUEST_CHECKS);
const NOTICE_LISTS = listed(NOTICE_CHECKS);
const REPLY_LISTS = listed(REPLY_CHECKS);

function firstBadField(fields: Record<string, unknown>, checks: CheckList): string | undefined {
  for (const [name, check] of checks) {
    if (!check(fields[name])) return name;
  }
  return undefined;
}

// ---- Encode and decode ------------------------------------------------------------------------

/**
 * Encodes `message` as one length-prefixed frame.
 *
 * @example
 * ```ts
 * const frame = encodeMessage({ t: "discover", id: 1 });
 * ```
 */
export function encodeMessage(message: Request | Notice | Reply): Uint8Array {
  const [map, field] = asMap(message);
  return packWholeFrame(map, field);
}

/**
 * Encodes `message` for a connection's outbox, with large byte fields (`data`, a reply's
 * `values`) by reference; the head is valid until the next encoding.
 *
 * @example
 * ```ts
 * outbox.push(packMessage({ t: "chunk", re: 1, data: bytes }));
 * ```
 */
export function packMessage(message: Request | Notice | Reply): PackedFrame {
  const [map, field] = asMap(message);
  return packFrame(map, field);
}

// The map on the wire, and its field that may hold many bytes.
function asMap(message: Request | Notice | Reply): [Record<string, unknown>, string] {
  if (message.t === "reply" && message.ok) {
    const { body, ...head } = message;
    return [{ ...body, ...head }, "values"];
  }
  return [message as Record<string, unknown>, "data"];
}

/** A type name as GVM spells them; anything else is garbage, not a newer peer's message. */
const TYPE_NAME = /^[a-z][a-z.]{0,31}$/;

/**
 * Decodes one frame payload. Bytes that are not a MessagePack map with a type name `t` (and an
 * integer `id` when present) throw `PROTOCOL_ERROR`: the connection is closed. A map with an
 * unknown type or wrong fields decodes to {@linkcode Invalid}, to be answered.
 *
 * @example
 * ```ts
 * decodeMessage(encodeMessage({ t: "discover", id: 1 }).subarray(4)); // { t: "discover", id: 1 }
 * ```
 */
export function decodeMessage(payload: Uint8Array): Message {
  const value = unpackValue(payload);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: not a map");
  }
  const fields = value as Record<string, unknown>;
  const t = fields.t;
  if (typeof t !== "string" || !TYPE_NAME.test(t)) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: missing or bad type field 't'");
  }
  if (fields.id !== undefined && !int(fields.id)) {
    throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: 'id' is not an integer");
  }
  const id = fields.id as number | undefined;
  if (t === "reply") {
    if (id === undefined || !bool(fields.ok)) {
      throw new GvmError("PROTOCOL_ERROR", "Cannot parse message: reply without id or ok");
    }
    if (fields.ok === true) {
      const { t: _t, id: _id, ok: _ok, ...body } = fields;
      return { t, id, ok: true, body };
    }
    return {
      t,
      id,
      ok: false,
      code: typeof fields.code === "string" ? fields.code : "PROTOCOL_ERROR",
      message: typeof fields.message === "string" ? fields.message : "Request failed",
      // A WASI program's own exit code, so a remote proc_exit(N) is still N here.
      ...(Number.isSafeInteger(fields.exitCode) ? { exitCode: fields.exitCode as number } : {}),
    };
  }
  const checks = REQUEST_LISTS.get(t) ?? NOTICE_LISTS.get(t);
  if (!checks) return { t: "invalid", type: t, id, reason: `Unknown message type '${t}'` };
  const bad = firstBadField(fields, checks);
  if (bad !== undefined) {
    return { t: "invalid", type: t, id, reason: `Message '${t}' has a bad field '${bad}'` };
  }
  return fields as Message;
}

/**
 * Checks the fields of a successful reply to a request of type `type`; `PROTOCOL_ERROR` if any
 * is wrong.
 *
 * @example
 * ```ts
 * decodeReply("discover", { names: ["node-1"] }); // { names: ["node-1"] }
 * ```
 */
export function decodeReply<T extends RequestType>(
  type: T,
  body: Record<string, unknown>,
): Replies[T] {
  const bad = firstBadField(body, REPLY_LISTS.get(type)!);
  if (bad !== undefined) {
    throw new GvmError("PROTOCOL_ERROR", `Reply to '${type}' has a bad field '${bad}'`);
  }
  return body as Replies[T];
}
