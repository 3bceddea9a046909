import { GvmError } from "../errors.ts";
import { parseHostPort } from "../host_port.ts";
import { Connection } from "../protocol/connection.ts";
import { clientHandshake } from "../protocol/handshake.ts";
import { DEFAULT_GPMD_HOST, DEFAULT_GPMD_PORT } from "../protocol/limits.ts";
import { dial, type TlsConfig } from "../protocol/transport.ts";
import { base64ToBytes, bytesToBase64, type Message } from "../protocol/messages.ts";
import type { NodeEntry } from "./registry.ts";
import type { GpmdStatus } from "./server.ts";
import type { ModuleListing, StoredModule } from "./store.ts";

/** Where a GPMD listens. */
export interface GpmdAddress {
  host: string;
  port: number;
}

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
  address: GpmdAddress;
  cookie: string;
  /** Connect over TLS, checking GPMD's certificate against this CA. */
  tls?: TlsConfig;
  /** Largest frame accepted from GPMD. @default {16 MiB} */
  maxFrameBytes?: number;
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
  readonly address: GpmdAddress;

  private constructor(conn: Connection, address: GpmdAddress) {
    this.#conn = conn;
    this.address = address;
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
        `No GPMD answers at ${host}:${port} (${
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
    return new GpmdClient(conn, options.address);
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
      .names as string[];
  }

  /** Address and id of node `name`; `NODE_NOT_FOUND` if not live. */
  async lookup(name: string): Promise<NodeEntry> {
    return (await this.#conn.request({ t: "lookup", name })).node as NodeEntry;
  }

  /** GPMD's status figures. */
  async status(): Promise<GpmdStatus> {
    return (await this.#conn.request({ t: "status" })).status as GpmdStatus;
  }

  /** Asks GPMD to shut down. */
  async stop(): Promise<void> {
    await this.#conn.request({ t: "stop" });
  }

  /** Stores a module version; `MODULE_EXISTS` if that version is there already. */
  async upload(name: string, version: string, bytes: Uint8Array): Promise<Message> {
    return await this.#conn.request(
      { t: "module.put", name, version, data: bytesToBase64(bytes) },
      { timeoutMs: 60_000 },
    );
  }

  /** Removes a stored module version; `MODULE_NOT_FOUND` if it is not there. */
  async removeModule(name: string, version: string): Promise<void> {
    await this.#conn.request({ t: "module.rm", name, version });
  }

  /** Every stored module with its versions. */
  async listModules(): Promise<ModuleListing[]> {
    return (await this.#conn.request({ t: "module.list" })).modules as ModuleListing[];
  }

  /** A stored module by name (latest unless `version`), or by content hash. */
  async fetchModule(
    query: { name: string; version?: string } | { sha256: string },
  ): Promise<StoredModule> {
    const reply = await this.#conn.request({ t: "module.get", ...query }, { timeoutMs: 60_000 });
    return {
      name: reply.name as string,
      version: reply.version as string,
      sha256: reply.sha256 as string,
      bytes: base64ToBytes(reply.data as string),
    };
  }

  /** Closes the connection (a node's registration ends with it). */
  close(): void {
    this.#conn.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
