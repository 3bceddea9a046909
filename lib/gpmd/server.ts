import { GvmError, toGvmError } from "../errors.ts";
import type { HomePaths } from "../home.ts";
import { Connection } from "../protocol/connection.ts";
import { acceptLoop } from "../protocol/accept_loop.ts";
import { serverHandshake } from "../protocol/handshake.ts";
import { HandshakeGate } from "../protocol/handshake_gate.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../protocol/limits.ts";
import { listen, type TlsConfig } from "../protocol/transport.ts";
import type { GpmdAddress } from "./client.ts";
import {
  base64ToBytes,
  bytesToBase64,
  integerField,
  type Message,
  optionalStringField,
  stringField,
} from "../protocol/messages.ts";
import { isHost, isNodeId, isNodeName } from "../node/node_ref.ts";
import { PeerDirectory } from "./peer_directory.ts";
import { Registry } from "./registry.ts";
import { ModuleStore } from "./store.ts";
import { StoreLock } from "./store_lock.ts";

/** Options for {@linkcode GpmdServer.start}. */
export interface GpmdServerOptions {
  /** Address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port; 0 picks a free one. @default {5989} */
  port?: number;
  home: HomePaths;
  cookie: string;
  /** Largest frame accepted from an authenticated client. @default {16 MiB} */
  maxFrameBytes?: number;
  /** Largest module stored. @default {10 MiB} */
  maxModuleBytes?: number;
  /** Where log lines go. @default {() => {}} */
  log?: (line: string) => void;
  /** Runs as the server starts closing, before any client sees its connection end. */
  onClose?: () => void;
  /** Serve over TLS with this certificate. */
  tls?: TlsConfig;
  /** Other GPMDs whose nodes discovery also lists, as `name@host`. @default {[]} */
  peers?: GpmdAddress[];
}

/** What `gvm gpmd status` shows. */
export interface GpmdStatus {
  pid: number;
  hostname: string;
  port: number;
  startedAt: string;
  uptimeMs: number;
  nodes: string[];
  modules: number;
}

type Handler = (message: Message, conn: Connection) => Promise<Record<string, unknown>>;

/**
 * The Ghost Port Mapper Daemon: the registry of live nodes and the module store, served over
 * framed TCP after the cookie handshake.
 *
 * @example
 * ```ts
 * await using gpmd = await GpmdServer.start({ port: 0, home, cookie });
 * console.log(gpmd.port);
 * ```
 */
export class GpmdServer {
  readonly #listener: Deno.Listener;
  readonly #options: GpmdServerOptions;
  readonly #registry = new Registry<Connection>();
  readonly #store: ModuleStore;
  readonly #connections = new Set<Connection>();
  readonly #startedAt = new Date();
  // Uptime on the monotonic clock: a wall-clock step must not make it jump or go negative.
  readonly #startedMs = performance.now();
  readonly #handlers: Record<string, Handler>;
  #done: Promise<void>;
  #resolveDone!: () => void;
  #closing = false;
  readonly #peers?: PeerDirectory;
  readonly #lock: StoreLock;
  readonly #gate: HandshakeGate;

  private constructor(
    listener: Deno.Listener,
    options: GpmdServerOptions,
    store: ModuleStore,
    lock: StoreLock,
  ) {
    this.#listener = listener;
    this.#options = options;
    this.#store = store;
    this.#lock = lock;
    this.#gate = new HandshakeGate({ log: (line) => this.#log(line) });
    this.#done = new Promise((resolve) => this.#resolveDone = resolve);
    if (options.peers && options.peers.length > 0) {
      this.#peers = new PeerDirectory({
        peers: options.peers,
        cookie: options.cookie,
        tls: options.tls,
        log: (line) => this.#log(line),
      });
    }
    this.#handlers = {
      register: (m, c) => this.#register(m, c),
      discover: (m) =>
        Promise.resolve({
          names: m.local === true
            ? this.#registry.names()
            : [...this.#registry.names(), ...this.#peers?.names() ?? []],
        }),
      lookup: (m) => Promise.resolve({ node: this.#registry.lookup(stringField(m, "name")) }),
      status: () => Promise.resolve({ status: this.status() }),
      stop: () => {
        setTimeout(() => this.close(), 0); // After the reply has been queued.
        return Promise.resolve({});
      },
      "module.put": (m) => this.#putModule(m),
      "module.list": () => Promise.resolve({ modules: this.#store.list() }),
      "module.get": (m) => this.#getModule(m),
      "module.rm": async (m) => {
        await this.#store.remove(stringField(m, "name"), stringField(m, "version"));
        return {};
      },
    };
    this.#acceptLoop();
  }

  /**
   * Starts listening; throws `IO_ERROR` if the address is in use or another GPMD already uses
   * this `GHOST_HOME`'s module store.
   */
  static async start(options: GpmdServerOptions): Promise<GpmdServer> {
    // Two GPMDs writing one index would each overwrite the other's uploads.
    const lock = StoreLock.acquire(options.home);
    try {
      const log = (line: string) => options.log?.(`${new Date().toISOString()} ${line}`);
      const store = await ModuleStore.open(options.home, { log });
      const hostname = options.hostname ?? "127.0.0.1";
      const listener = listen({ hostname, port: options.port ?? 5989 }, options.tls);
      const { port } = listener.addr as Deno.NetAddr;
      lock.announce(hostname, port);
      return new GpmdServer(listener, options, store, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** The port actually bound. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** The address bound. */
  get hostname(): string {
    return (this.#listener.addr as Deno.NetAddr).hostname;
  }

  /** Resolves once the server has closed (after `stop` or {@linkcode close}). */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Current status figures. */
  status(): GpmdStatus {
    return {
      pid: Deno.pid,
      hostname: this.hostname,
      port: this.port,
      startedAt: this.#startedAt.toISOString(),
      uptimeMs: Math.round(performance.now() - this.#startedMs),
      nodes: this.#registry.names(),
      modules: this.#store.moduleCount,
    };
  }

  /** Stops listening and closes every connection. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#log("stopping");
    this.#options.onClose?.();
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    for (const conn of this.#connections) conn.close();
    this.#peers?.close();
    this.#lock.release();
    this.#resolveDone();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#done;
  }

  #log(line: string): void {
    this.#options.log?.(`${new Date().toISOString()} ${line}`);
  }

  #acceptLoop(): void {
    acceptLoop(this.#listener, {
      onConnection: (socket) => this.#serve(socket),
      isClosing: () => this.#closing,
      log: (line) => this.#log(line),
      // Out of descriptors: strangers still in their handshake make room first.
      onError: () => this.#gate.tighten(),
    });
  }

  async #serve(socket: Deno.Conn): Promise<void> {
    const conn = new Connection(socket, {
      maxFrameBytes: this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    });
    this.#connections.add(conn);
    conn.closed.then((reason) => {
      this.#connections.delete(conn);
      const gone = this.#registry.unregisterOwner(conn);
      if (gone) {
        this.#log(`node ${gone.name} left${reason ? ` (${reason.code}: ${reason.message})` : ""}`);
      }
    });
    this.#gate.enter(socket);
    try {
      await serverHandshake(conn, this.#options.cookie);
    } catch (error) {
      if (this.#gate.wasShed(socket)) return; // Counted in the gate's own note.
      const peer = conn.remoteAddr;
      this.#log(`refused ${peer.hostname}:${peer.port}: ${toGvmError(error).message}`);
      return;
    } finally {
      this.#gate.leave(socket);
    }
    conn.start((message) => this.#dispatch(message, conn));
  }

  async #dispatch(message: Message, conn: Connection): Promise<void> {
    const handler = Object.hasOwn(this.#handlers, message.t)
      ? this.#handlers[message.t]
      : undefined;
    if (!handler) {
      conn.replyError(
        message.id,
        new GvmError("PROTOCOL_ERROR", `Unknown message type '${message.t}'`),
      );
      return;
    }
    try {
      conn.reply(message.id, await handler(message, conn));
    } catch (error) {
      conn.replyError(message.id, error);
    }
  }

  #register(message: Message, conn: Connection): Promise<Record<string, unknown>> {
    const port = integerField(message, "port");
    if (port < 1 || port > 65535) throw new GvmError("PROTOCOL_ERROR", `Bad port ${port}`);
    let host = stringField(message, "host");
    if (host === "0.0.0.0" || host === "::" || host === "") host = conn.remoteAddr.hostname;
    const name = stringField(message, "name");
    const id = stringField(message, "nodeId");
    // Names end up in other users' terminals and in comma-separated lists: keep them plain.
    if (!isNodeName(name)) {
      throw new GvmError("BAD_ARGS", "Node names are 1 to 64 letters, digits, '_', '.' or '-'");
    }
    if (!isNodeId(id) || !isHost(host)) throw new GvmError("BAD_ARGS", "Malformed node id or host");
    const entry = { name, id, host, port };
    this.#registry.register(entry, conn);
    this.#log(`node ${entry.name} registered at ${host}:${port}`);
    return Promise.resolve({});
  }

  async #putModule(message: Message): Promise<Record<string, unknown>> {
    const stored = await this.#store.put(
      stringField(message, "name"),
      stringField(message, "version"),
      base64ToBytes(stringField(message, "data")),
      this.#options.maxModuleBytes,
    );
    this.#log(`stored module ${stored.name} ${stored.version} (${stored.sha256})`);
    return { name: stored.name, version: stored.version, sha256: stored.sha256 };
  }

  async #getModule(message: Message): Promise<Record<string, unknown>> {
    const sha256 = optionalStringField(message, "sha256");
    const found = sha256 !== undefined
      ? await this.#store.getByHash(sha256)
      : await this.#store.get(
        stringField(message, "name"),
        optionalStringField(message, "version"),
      );
    if (!found) throw new GvmError("MODULE_NOT_FOUND", `GPMD stores no module with hash ${sha256}`);
    return {
      name: found.name,
      version: found.version,
      sha256: found.sha256,
      data: bytesToBase64(found.bytes),
    };
  }
}
