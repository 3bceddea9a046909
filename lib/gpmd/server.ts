import { GvmError, toGvmError } from "../errors.ts";
import type { HomePaths } from "../home.ts";
import { Connection } from "../protocol/connection.ts";
import { acceptLoop } from "../protocol/accept_loop.ts";
import { serverHandshake } from "../protocol/handshake.ts";
import { HandshakeGate } from "../protocol/handshake_gate.ts";
import { DEFAULT_GPMD_PORT, DEFAULT_LISTEN_HOST, DEFAULT_MAX_FRAME_BYTES } from "../limits.ts";
import { listen, type TlsConfig } from "../protocol/transport.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import type { GpmdStatus, Replies, Request } from "../protocol/messages.ts";
import type { Incoming } from "../protocol/connection.ts";
import { ModuleService } from "./module_service.ts";
import { formatHostPort, isAnyAddress, isHost, isNodeId, isNodeName, isPort } from "../names.ts";
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
  /** The ghost home: the module store and its lock live under it. */
  home: HomePaths;
  /** The shared secret every client must prove it holds in the handshake. */
  cookie: string;
  /** Largest frame accepted from an authenticated client. @default {16 MiB} */
  maxFrameBytes?: number;
  /** Largest module stored. @default {64 MiB} */
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
  readonly #modules: ModuleService;
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
    this.#modules = new ModuleService({
      store,
      maxModuleBytes: options.maxModuleBytes,
      log: (line) => this.#log(line),
    });
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
      const hostname = options.hostname ?? DEFAULT_LISTEN_HOST;
      const listener = listen({ hostname, port: options.port ?? DEFAULT_GPMD_PORT }, options.tls);
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
      bodiesServed: this.#modules.bodiesServed,
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

  /** Closes the server and waits until it is done, for `await using`. */
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
      this.#modules.drop(conn);
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
      this.#log(
        `refused ${formatHostPort(peer.hostname, peer.port)}: ${toGvmError(error).message}`,
      );
      return;
    } finally {
      this.#gate.leave(socket);
    }
    conn.start((message) => this.#dispatch(message, conn));
  }

  async #dispatch(message: Incoming, conn: Connection): Promise<void> {
    try {
      switch (message.t) {
        case "module.part":
          this.#modules.part(message, conn);
          return;
        case "module.get":
          await this.#modules.get(message, conn); // Replies itself, after the body.
          return;
        case "stop":
          conn.reply<"stop">(message.id, {});
          setTimeout(() => this.close(), 0); // After the reply has been queued.
          return;
        default:
          conn.reply(message.id, await this.#answer(message, conn));
      }
    } catch (error) {
      conn.replyError(message.id, error);
    }
  }

  async #answer(message: Incoming, conn: Connection): Promise<Replies[keyof Replies]> {
    switch (message.t) {
      case "register":
        return this.#register(message, conn);
      case "discover":
        return {
          names: message.local === true
            ? this.#registry.names()
            : [...this.#registry.names(), ...this.#peers?.names() ?? []],
        };
      case "lookup":
        return { node: this.#registry.lookup(message.name) };
      case "status":
        return { status: this.status() };
      case "module.put":
        return await this.#modules.put(message, conn);
      case "module.list":
        return { modules: this.#store.list() };
      case "module.rm":
        await this.#store.remove(message.name, message.version);
        return {};
      case "invalid":
        throw new GvmError("PROTOCOL_ERROR", message.reason);
      default:
        throw new GvmError("PROTOCOL_ERROR", `GPMD does not serve '${message.t}'`);
    }
  }

  #register(message: Request<"register">, conn: Connection): Replies["register"] {
    const port = message.port;
    if (!isPort(port)) throw new GvmError("PROTOCOL_ERROR", `Bad port ${port}`);
    let host = message.host;
    if (isAnyAddress(host)) host = conn.remoteAddr.hostname;
    const name = message.name;
    const id = message.nodeId;
    // Names end up in other users' terminals and in comma-separated lists: keep them plain.
    if (!isNodeName(name)) {
      throw new GvmError("BAD_ARGS", "Node names are 1 to 64 letters, digits, '_', '.' or '-'");
    }
    if (!isNodeId(id) || !isHost(host)) throw new GvmError("BAD_ARGS", "Malformed node id or host");
    const entry = { name, id, host, port };
    this.#registry.register(entry, conn);
    this.#log(`node ${entry.name} registered at ${formatHostPort(host, port)}`);
    return {};
  }
}
