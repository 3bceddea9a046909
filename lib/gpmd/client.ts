import { GvmError } from "../errors.ts";
import { formatHostPort, parseHostPort } from "../names.ts";
import { Connection } from "../protocol/connection.ts";
import { clientHandshake } from "../protocol/handshake.ts";
import {
  DEFAULT_GPMD_HOST,
  DEFAULT_GPMD_PORT,
  DEFAULT_MAX_MODULE_BYTES,
  MODULE_TRANSFER_TIMEOUT_MS,
} from "../limits.ts";
import { dial, type TlsConfig } from "../protocol/transport.ts";
import type {
  GpmdStatus,
  ModuleHead,
  ModuleListing,
  ModuleVersion,
  NodeEntry,
} from "../protocol/messages.ts";
import type { GpmdAddress, StoredModule } from "../protocol/gpmd_types.ts";
import { BodyCollector, sendParts } from "../protocol/module_transfer.ts";
import { sha256Hex } from "../hash.ts";

/**
 * Parses `HOST:PORT` (or `HOST`, or `:PORT`) with the defaults filled in.
 *
 * @example
 * ```ts
 * parseGpmdAddress("127.0.0.1:7000"); // { host: "127.0.0.1", port: 7000 }
 * ```
 */
export function parseGpmdAddress(text: string | undefined): GpmdAddress {
  const defaults = { host: DEFAULT_GPMD_HOST, port: DEFAULT_GPMD_PORT };
  if (!text) return defaults;
  const address = parseHostPort(text, defaults, "GPMD address");
  if (address.port < 1) throw new GvmError("BAD_FLAGS", `Bad GPMD port in '${text}'`);
  return address;
}

/** Options for {@linkcode GpmdClient.connect}. */
export interface GpmdClientOptions {
  /** The GPMD to connect to. */
  address: GpmdAddress;
  /** The shared secret both sides prove they hold in the handshake. */
  cookie: string;
  /** Connect over TLS, checking GPMD's certificate against this CA. */
  tls?: TlsConfig;
  /** Largest frame accepted from GPMD. @default {16 MiB} */
  maxFrameBytes?: number;
  /** Largest module body accepted from GPMD. @default {64 MiB} */
  maxModuleBytes?: number;
}

/**
 * Talks to one GPMD: used by nodes (registration lives as long as this connection) and by the
 * `gvm gpmd` / `gvm wasm` commands.
 *
 * @example
 * ```ts
 * await using gpmd = await GpmdClient.connect({ address, cookie });
 * const names = await gpmd.discover();
 * ```
 */
export class GpmdClient {
  readonly #conn: Connection;
  readonly #maxModuleBytes: number;
  #nextUpload = 1;
  /** The GPMD this client is connected to. */
  readonly address: GpmdAddress;

  private constructor(conn: Connection, address: GpmdAddress, maxModuleBytes?: number) {
    this.#conn = conn;
    this.address = address;
    this.#maxModuleBytes = maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES;
  }

  /** Connects and authenticates; `GPMD_NOT_RUNNING` when nothing answers. */
  static async connect(options: GpmdClientOptions): Promise<GpmdClient> {
    const { host, port } = options.address;
    let socket: Deno.Conn;
    try {
      socket = await dial(host, port, options.tls);
    } catch (error) {
      if (error instanceof GvmError) throw error;
      throw new GvmError(
        "GPMD_NOT_RUNNING",
        `No GPMD answers at ${formatHostPort(host, port)} (${
          (error as Error).message
        }). Start one with: gvm gpmd start`,
      );
    }
    const conn = new Connection(socket, { maxFrameBytes: options.maxFrameBytes });
    try {
      await clientHandshake(conn, options.cookie);
    } catch (error) {
      conn.close();
      throw error;
    }
    conn.start((message) => {
      // GPMD sends nothing unasked today; an unknown push is ignored, not fatal.
      void message;
    });
    return new GpmdClient(conn, options.address, options.maxModuleBytes);
  }

  /** Resolves when the connection to GPMD ends, with the reason. */
  get closed(): Promise<GvmError | undefined> {
    return this.#conn.closed;
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.#conn.isOpen;
  }

  /** Registers this process as node `entry.name`; `NAME_TAKEN` if live already. */
  async register(entry: NodeEntry): Promise<void> {
    await this.#conn.request({
      t: "register",
      name: entry.name,
      nodeId: entry.id,
      host: entry.host,
      port: entry.port,
    });
  }

  /** Names of all live nodes (with `localOnly`, not those of peer GPMDs). */
  async discover(options: { localOnly?: boolean } = {}): Promise<string[]> {
    return (await this.#conn.request({ t: "discover", local: options.localOnly === true }))
      .names;
  }

  /** Address and id of node `name`; `NODE_NOT_FOUND` if not live. */
  async lookup(name: string): Promise<NodeEntry> {
    return (await this.#conn.request({ t: "lookup", name })).node;
  }

  /** GPMD's status figures. */
  async status(): Promise<GpmdStatus> {
    return (await this.#conn.request({ t: "status" })).status;
  }

  /** Asks GPMD to shut down. */
  async stop(): Promise<void> {
    await this.#conn.request({ t: "stop" });
  }

  /**
   * Stores a module version, sent in parts; `MODULE_EXISTS` if that version is there already.
   */
  async upload(name: string, version: string, bytes: Uint8Array): Promise<ModuleVersion> {
    const upload = this.#nextUpload++;
    const sha256 = await sha256Hex(bytes);
    await sendParts(this.#conn, upload, bytes);
    return await this.#conn.request(
      { t: "module.put", upload, name, version, size: bytes.length, sha256 },
      { timeoutMs: MODULE_TRANSFER_TIMEOUT_MS },
    );
  }

  /** Removes a stored module version; `MODULE_NOT_FOUND` if it is not there. */
  async removeModule(name: string, version: string): Promise<void> {
    await this.#conn.request({ t: "module.rm", name, version });
  }

  /** Every stored module with its versions. */
  async listModules(): Promise<ModuleListing[]> {
    return (await this.#conn.request({ t: "module.list" })).modules;
  }

  /**
   * A stored module by name (latest unless `version`), or by content hash, received in chunks
   * and checked against its sha256 as they come (`HASH_MISMATCH` otherwise).
   */
  async fetchModule(
    query: { name: string; version?: string } | { sha256: string },
  ): Promise<StoredModule> {
    const what = "sha256" in query ? `Module ${query.sha256.slice(0, 12)}` : query.name;
    const body = new BodyCollector({
      maxBytes: this.#maxModuleBytes,
      flag: "--max-module-bytes",
      what: `${what} from GPMD`,
    });
    const reply = await this.#conn.request({ t: "module.get", ...query }, {
      timeoutMs: MODULE_TRANSFER_TIMEOUT_MS,
      onEvent: (event) => body.add(event),
    });
    if ("sha256" in query && reply.sha256 !== query.sha256) {
      throw new GvmError("HASH_MISMATCH", `GPMD answered ${query.sha256} with ${reply.sha256}`);
    }
    const bytes = body.finish(reply.size, reply.sha256);
    return { name: reply.name, version: reply.version, sha256: reply.sha256, bytes };
  }

  /** Name, version, hash and size of a stored module, without its body. */
  async moduleHead(
    query: { name: string; version?: string } | { sha256: string },
  ): Promise<ModuleHead> {
    return await this.#conn.request({ t: "module.get", ...query, head: true });
  }

  /** Closes the connection (a node's registration ends with it). */
  close(): void {
    this.#conn.close();
  }

  /** Closes the connection, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
