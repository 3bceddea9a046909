import { loadCookie } from "../cookie.ts";
import { GvmError, toGvmError } from "../errors.ts";
import { GpmdClient } from "../gpmd/client.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import { listen, type TlsConfig } from "../protocol/transport.ts";
import { acceptLoop } from "../protocol/accept_loop.ts";
import { HandshakeGate } from "../protocol/handshake_gate.ts";
import { type HomePaths, homePaths } from "../home.ts";
import type { Connection, Incoming } from "../protocol/connection.ts";
import { type LoadedModule, type ModuleBytes, ModuleCatalog } from "../wasm/catalog.ts";
import type { DirMapping } from "../wasm/dir_map.ts";
import { SandboxPool } from "../wasm/sandbox_pool.ts";
import {
  type CallOptions,
  type CallResult,
  type CallSpec,
  type InlineStats,
  type Isolation,
  WasmRuntime,
} from "../wasm/runtime.ts";
import { CallService } from "./call_service.ts";
import { type ModuleIndex, moduleIndexReply, parseModuleIndex } from "./module_index.ts";
import { GpmdLink } from "./gpmd_link.ts";
import { type MapOptions, type MapResult, type MapSpec, runMap } from "./map.ts";
import type { CallArg } from "../wasm/values.ts";
import { acceptPeer, dialPeer, type Peer } from "./peer_link.ts";
import { formatHostPort, formatNodeRef, isLoopback, parseNodeRef } from "../names.ts";
import { decodeResults, encodeArgs } from "../protocol/wasm_values.ts";
import {
  DEFAULT_LISTEN_HOST,
  DEFAULT_MAX_MEMORY_MIB,
  MAX_REPORTED_CORES,
  memoryPages,
  MODULES_REQUEST_TIMEOUT_MS,
  REMOTE_GRACE_MS,
  SANDBOX_IDLE_MS,
} from "../limits.ts";

// `node-NNNN`, 4 random digits.
function randomNodeName(): string {
  return `node-${1000 + Math.floor(Math.random() * 9000)}`;
}

/** Options for {@linkcode GvmNode.start}. */
export interface GvmNodeOptions {
  /** Node name. @default {`node-NNNN`, 4 random digits} */
  name?: string;
  /** GPMD to register with. */
  gpmd: GpmdAddress;
  /** Modules folder. */
  modulesDir: string;
  /** Where the cookie lives. @default {homePaths()} */
  home?: HomePaths;
  /** Cookie to use instead of the one in `home`. */
  cookie?: string;
  /** Peer listening address. @default {{ hostname: "127.0.0.1", port: 0 }} */
  listen?: { hostname: string; port: number };
  /** Per-call time limit. @default {30000} */
  timeoutMs?: number;
  /** Memory cap per instance in MiB. @default {256} */
  maxMemoryMiB?: number;
  /**
   * Sandbox processes at most: they run the calls that outlive the inline budget, or every call
   * with `isolation: "process"`. @default {min(CPUs, 4)}
   */
  workers?: number;
  /** Inline first (moving long calls to a sandbox), or every call in a sandbox process. @default {"inline"} */
  isolation?: Isolation;
  /** Host folders modules may see, as `--allow-dir` gives them. @default {[]} */
  allowDirs?: DirMapping[];
  /** Environment of this node's calls, `NAME=VALUE` strings (`--env`). @default {[]} */
  env?: string[];
  /** The address peers should dial, when it differs from the listening one (NAT, 0.0.0.0). */
  advertise?: string;
  /** TLS for every connection: GPMD, peers, and this node's own port. */
  tls?: TlsConfig;
  /** Largest frame accepted from GPMD and peers. @default {16 MiB} */
  maxFrameBytes?: number;
  /** Largest module loaded, from the folder, GPMD or a peer. @default {64 MiB} */
  maxModuleBytes?: number;
  /** Refuse every incoming peer connection. @default {false} */
  denyPeers?: boolean;
  /** Status lines (GPMD gone, peer left ...). @default {() => {}} */
  log?: (line: string) => void;
}

/** Options of {@linkcode GvmNode.run}. */
export type RunOptions = CallOptions & {
  /** Run the peer's own copy of the module (looked up there by name), not this node's. */
  own?: boolean;
};

/** A call started on a peer: its id at once, its result later. */
export interface RemoteCall {
  /** The call's id, as {@linkcode GvmNode.cancel} takes it. */
  callId: string;
  /** Settles when the peer answers: the results, or the call's error. */
  result: Promise<CallResult>;
}

/** What `Node.info()` shows. */
export interface NodeInfo {
  /** The node's name. */
  name: string;
  /** The node's id, fresh each start (see {@linkcode GvmNode.id}). */
  id: string;
  /** The address the node listens on for peers. */
  host: string;
  /** The port the node listens on for peers. */
  port: number;
  /** GPMD's address, as `HOST:PORT`. */
  gpmd: string;
  /** Whether the node is connected to GPMD now. */
  gpmdUp: boolean;
}

/**
 * A GVM node: registered with GPMD, listening for peers, running wasm inline on its own thread
 * first and in sandbox processes when a call outlives the inline budget (every call in one with
 * `isolation: "process"`).
 *
 * @example
 * ```ts
 * await using node = await GvmNode.start({ gpmd, modulesDir: "./modules" });
 * const result = await node.call({ module: "math", fn: "add", args });
 * ```
 */
export class GvmNode {
  /** A fresh id per node; GPMD and peers tell a restarted node from its old self by it. */
  readonly id: string = crypto.randomUUID();
  #name: string;
  readonly #runtime: WasmRuntime;
  readonly #listener: Deno.Listener;
  readonly #cookie: string;
  readonly #options: GvmNodeOptions;
  readonly #peers = new Map<string, Peer>();
  readonly #outgoing = new Map<string, AbortController>();
  readonly #service: CallService;
  readonly #gate: HandshakeGate;
  #link!: GpmdLink;
  #closed = false;
  #warming?: ReturnType<typeof setTimeout>;

  // Builds the engine (sandbox pool, catalog, runtime) once; registration comes after.
  private constructor(listener: Deno.Listener, cookie: string, options: GvmNodeOptions) {
    this.#name = options.name ?? randomNodeName();
    this.#listener = listener;
    this.#cookie = cookie;
    this.#options = options;
    this.#gate = new HandshakeGate({ log: (line) => options.log?.(line) });
    // Inline, sandboxes serve only the calls that outlive the budget: they stop when idle.
    const pool = new SandboxPool({
      size: options.workers,
      dirs: options.allowDirs,
      idleMs: (options.isolation ?? "inline") === "inline" ? SANDBOX_IDLE_MS : undefined,
    });
    const catalog = new ModuleCatalog({
      modulesDir: options.modulesDir,
      fetchFallback: (module) => this.#fetchFromStore(module),
      listFallback: () => this.#storeNames(),
      maxMemoryPages: memoryPages(options.maxMemoryMiB ?? DEFAULT_MAX_MEMORY_MIB),
      maxModuleBytes: options.maxModuleBytes,
    });
    this.#runtime = new WasmRuntime({
      catalog,
      pool,
      timeoutMs: options.timeoutMs,
      maxMemoryMiB: options.maxMemoryMiB,
      dirs: options.allowDirs,
      env: options.env,
      isolation: options.isolation,
    });
    this.#service = new CallService({
      runtime: this.#runtime,
      fetchFromGpmd: (sha256) => this.#link.client.fetchModule({ sha256 }),
      maxModuleBytes: options.maxModuleBytes,
    });
  }

  /**
   * Creates a node: reads the cookie, opens the peer port, registers with GPMD.
   * Throws `GPMD_NOT_RUNNING` when no GPMD answers, `NAME_TAKEN` for a live `name`.
   */
  static async start(options: GvmNodeOptions): Promise<GvmNode> {
    const cookie = options.cookie ?? await loadCookie(options.home ?? homePaths());
    const listenAt = options.listen ?? { hostname: DEFAULT_LISTEN_HOST, port: 0 };
    const node = new GvmNode(listen(listenAt, options.tls), cookie, options);
    try {
      node.#link = await node.#register(options.advertise ?? listenAt.hostname);
    } catch (error) {
      node.close();
      throw error;
    }
    node.#acceptLoop();
    // After the caller has printed its ready lines: a sandbox starting takes CPU too. One is
    // ready before the first calls either way (a burst of calls moved out of the node would
    // otherwise start sandboxes while the node is busiest); inline, it stops when idle.
    node.#warming = setTimeout(() => node.#runtime.pool.warm(), 0);
    return node;
  }

  // Registers with GPMD under this node's name; a random name that is taken is drawn again.
  async #register(host: string): Promise<GpmdLink> {
    for (let attempt = 0;; attempt++) {
      try {
        return await GpmdLink.open({
          address: this.#options.gpmd,
          cookie: this.#cookie,
          entry: { name: this.#name, id: this.id, host, port: this.port },
          log: (line) => this.#options.log?.(line),
          tls: this.#options.tls,
          maxFrameBytes: this.#options.maxFrameBytes,
          maxModuleBytes: this.#options.maxModuleBytes,
        });
      } catch (error) {
        const drawn = this.#options.name === undefined;
        if (!drawn || toGvmError(error).code !== "NAME_TAKEN" || attempt >= 20) throw error;
        this.#name = randomNodeName();
      }
    }
  }

  /** This node's name, as registered with GPMD. */
  get name(): string {
    return this.#name;
  }

  /** The folder this node loads modules from. */
  get modulesDir(): string {
    return this.#runtime.catalog.modulesDir;
  }

  /**
   * What the sandbox processes have done: calls run in them so far and processes alive now
   * (inline calls count in neither).
   */
  sandboxStats(): { calls: number; processes: number } {
    const pool = this.#runtime.pool;
    return { calls: pool.callCount, processes: pool.sandboxCount };
  }

  /** Calls tried inline so far, and those of them dropped and re-run in a sandbox, by why. */
  inlineStats(): InlineStats {
    const { attempts, dropped } = this.#runtime.inlineStats;
    return { attempts, dropped: { ...dropped } };
  }

  /** The peer port. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Names of all live nodes GPMD knows, this one included. */
  async discover(): Promise<string[]> {
    return await this.#link.client.discover();
  }

  /** Runs a call on this node. */
  call(spec: CallSpec, options: CallOptions = {}): Promise<CallResult> {
    return this.#runtime.call(spec, options);
  }

  /** Connects to `name` (looked up in GPMD); harmless if connected already. */
  async connect(name: string): Promise<string> {
    if (name === this.name) {
      throw new GvmError("CONNECTION_DENIED", `${name} is this node; connect to another one`);
    }
    const ref = parseNodeRef(name);
    if (this.#peers.has(ref.key)) return ref.key;
    const entry = ref.host === undefined
      ? await this.#link.client.lookup(ref.name)
      : await this.#lookupElsewhere(ref.name, ref.host, ref.port);
    // name@host:port of our own GPMD, or any other spelling that resolves to us.
    if (entry.id === this.id) {
      throw new GvmError("CONNECTION_DENIED", `${name} is this node; connect to another one`);
    }
    // Another spelling of a node already linked (node-1 and node-1@127.0.0.1:PORT): one link.
    for (const linked of this.#peers.values()) {
      if (linked.id === entry.id) return linked.name;
    }
    const peer = await dialPeer({
      // A node registered on loopback there is reachable at its GPMD's host from here.
      host: ref.host !== undefined && isLoopback(entry.host) ? ref.host : entry.host,
      port: entry.port,
      expected: ref.name,
      key: ref.key,
      via: ref.host === undefined ? undefined : this.#publicName(),
      self: { name: this.name, id: this.id },
      cookie: this.#cookie,
      tls: this.#options.tls,
      maxFrameBytes: this.#options.maxFrameBytes,
      handler: (message, conn) => this.#onPeerMessage(message, conn),
    });
    this.#addPeer(peer);
    return peer.name;
  }

  async #lookupElsewhere(name: string, host: string, port: number) {
    await using gpmd = await GpmdClient.connect({
      address: { host, port },
      cookie: this.#cookie,
      tls: this.#options.tls,
      maxFrameBytes: this.#options.maxFrameBytes,
    });
    return await gpmd.lookup(name);
  }

  // How a node on another host should name this one: name@(our GPMD's host), when it is
  // reachable from elsewhere; else the address we advertise or listen on.
  #publicName(): string {
    const gpmd = this.#link.address;
    const listening = (this.#listener.addr as Deno.NetAddr).hostname;
    const host = this.#options.advertise ??
      (!isLoopback(gpmd.host) ? gpmd.host : listening);
    return formatNodeRef(this.name, host, gpmd.port);
  }

  /** Calls running here for peers now. */
  get serving(): number {
    return this.#service.runningCount;
  }

  /** Names of connected peers, in either direction. */
  list(): string[] {
    return [...this.#peers.keys()];
  }

  /** Closes the connection to `name`; calls in flight to it fail. */
  disconnect(name: string): void {
    const peer = this.#peer(name);
    this.#peers.delete(name);
    peer.conn.close(new GvmError("PEER_DOWN", `Disconnected from ${name}`));
  }

  /** Round trip to `name` in milliseconds. */
  async ping(name: string): Promise<number> {
    const peer = this.#peer(name);
    const started = performance.now();
    await peer.conn.request({ t: "ping" });
    return performance.now() - started;
  }

  /**
   * Starts `spec` on peer `name`; output streams to `options.onOutput` as it comes. The peer runs
   * this node's copy of the module (`options.loaded`, else the one `spec.module` names here),
   * sent by hash, unless `options.own` asks for the peer's own copy.
   */
  run(name: string, spec: CallSpec, options: RunOptions = {}): RemoteCall {
    const peer = this.#peer(name);
    const callId = crypto.randomUUID();
    const controller = new AbortController();
    // Aborted already: its abort event has fired and will not fire again.
    if (options.signal?.aborted) controller.abort();
    options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    this.#outgoing.set(callId, controller);
    const result = this.#runRemote(callId, peer, spec, { ...options, signal: controller.signal })
      .finally(() => this.#outgoing.delete(callId));
    return { callId, result };
  }

  /**
   * Cancels a call by the id printed on its `ID:` line: one this node started on a peer, or one
   * a peer is running here. Either way the work stops, not just the wait.
   */
  cancel(callId: string): void {
    const controller = this.#outgoing.get(callId);
    if (controller) {
      controller.abort();
      return;
    }
    if (!this.#service.cancel(callId)) {
      throw new GvmError("BAD_ARGS", `No call ${callId} is running on or from this node`);
    }
  }

  /**
   * Runs `spec` once per item of `items` across this node and its connected peers, placed by
   * free capacity; yields results in input order. Calls of a peer that goes down mid-batch are
   * re-run elsewhere; a call's own failure is its result's `error`. See {@linkcode runMap}.
   *
   * @example
   * ```ts
   * const items = [[{ type: "int", value: 30n }], [{ type: "int", value: 31n }]] as CallArg[][];
   * for await (const r of node.map({ module: "mapwork", fn: "fib" }, items)) {
   *   console.log(r.index, r.node, r.error?.code ?? r.result!.values[0]);
   * }
   * const all = await Array.fromAsync(node.map({ module: "mapwork", fn: "fib" }, items));
   * ```
   */
  map(
    spec: MapSpec,
    items: readonly CallArg[][],
    options: MapOptions = {},
  ): AsyncGenerator<MapResult> {
    return runMap(
      {
        name: this.name,
        capacity: this.capacity,
        list: () => this.list(),
        peerCapacity: (name) => this.peerCapacity(name),
        call: (call, opts) => this.call(call, opts),
        run: (name, call, opts) => this.run(name, call, opts),
      },
      spec,
      items,
      options,
    );
  }

  /** Calls this node runs at once: its sandbox processes. */
  get capacity(): number {
    return this.#runtime.pool.size;
  }

  /** Calls peer `name` runs at once, as its ping reply says (1 if it does not say). */
  async peerCapacity(name: string): Promise<number> {
    // The reply check has made `cores` a safe integer when present.
    const { cores } = await this.#peer(name).conn.request({ t: "ping" });
    return cores !== undefined && cores >= 1 ? Math.min(cores, MAX_REPORTED_CORES) : 1;
  }

  /** This node's identity and addresses. */
  info(): NodeInfo {
    const addr = this.#listener.addr as Deno.NetAddr;
    const gpmd = this.#link.address;
    return {
      name: this.name,
      id: this.id,
      host: addr.hostname,
      port: addr.port,
      gpmd: formatHostPort(gpmd.host, gpmd.port),
      gpmdUp: this.#link.isUp,
    };
  }

  /** Module names available here (folder and GPMD store). */
  moduleNames(): Promise<string[]> {
    return this.#runtime.catalog.names();
  }

  /** The modules and exports of peer `name` (for Tab completion). */
  async peerModules(name: string): Promise<ModuleIndex> {
    const reply = await this.#peer(name).conn.request({ t: "modules" }, {
      timeoutMs: MODULES_REQUEST_TIMEOUT_MS,
    });
    return parseModuleIndex(reply.modules);
  }

  /** Exported function names of `module`, or none if it cannot be loaded. */
  async exportNames(module: string): Promise<string[]> {
    try {
      const loaded = await this.#runtime.catalog.load(module);
      return [...loaded.info.functions.keys()].filter((n) => !n.startsWith("_"));
    } catch {
      return [];
    }
  }

  /** Leaves the network: peers, GPMD registration, sandboxes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#warming);
    for (const peer of this.#peers.values()) peer.conn.close();
    this.#link?.close();
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    this.#service.close();
    this.#runtime.pool.close();
  }

  /** Closes the node, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #peer(name: string): Peer {
    const peer = this.#peers.get(name);
    if (!peer) {
      throw new GvmError(
        "NOT_CONNECTED",
        `Not connected to ${name} (Node.list() shows the nodes this one is connected to)`,
      );
    }
    return peer;
  }

  #addPeer(peer: Peer): void {
    const existing = this.#peers.get(peer.name);
    if (existing?.conn.isOpen) {
      // Both nodes dialled at once. As in Erlang, both keep the connection dialled by the node
      // whose name sorts first, so the two sides agree without talking about it.
      const dialler = (p: Peer) => p.direction === "out" ? this.name : p.name;
      // The same dialler connecting again (restarted, or its old link not yet seen dead)
      // replaces its old connection.
      const keepNew = dialler(peer) <= dialler(existing);
      const loser = keepNew ? existing : peer;
      if (!keepNew) {
        loser.conn.close();
        return;
      }
      this.#peers.set(peer.name, peer);
      loser.conn.close();
    } else {
      this.#peers.set(peer.name, peer);
    }
    peer.conn.closed.then((reason) => {
      this.#service.dropConnection(peer.conn);
      // Replaced, or disconnected on purpose: nothing to report.
      if (this.#peers.get(peer.name) !== peer) return;
      this.#peers.delete(peer.name);
      if (!this.#closed) {
        this.#options.log?.(`${peer.name} disconnected${reason ? `: ${reason.message}` : ""}`);
      }
    });
  }

  #acceptLoop(): void {
    acceptLoop(this.#listener, {
      onConnection: (socket) => this.#accept(socket),
      isClosing: () => this.#closed,
      log: (line) => this.#options.log?.(line),
      // Out of descriptors: strangers still in their handshake make room first.
      onError: () => this.#gate.tighten(),
    });
  }

  async #accept(socket: Deno.Conn): Promise<void> {
    this.#gate.enter(socket);
    try {
      const peer = await acceptPeer(socket, {
        self: { name: this.name, id: this.id },
        cookie: this.#cookie,
        maxFrameBytes: this.#options.maxFrameBytes,
        admit: (who) => {
          if (this.#options.denyPeers) {
            return new GvmError("CONNECTION_DENIED", `${this.name} does not accept peers`);
          }
          if (who.name === this.name || who.id === this.id) {
            return new GvmError("CONNECTION_DENIED", `${who.name} is this node's own name`);
          }
          return undefined;
        },
      });
      peer.conn.start((message, conn) => this.#onPeerMessage(message, conn));
      this.#addPeer(peer);
      // As it says who left: the user at this prompt sees who may now run code here.
      if (this.#peers.get(peer.name) === peer) this.#options.log?.(`${peer.name} connected`);
    } catch (error) {
      // A connection the gate dropped is counted in the gate's own note.
      if (!this.#gate.wasShed(socket)) {
        this.#options.log?.(`Refused a peer connection: ${toGvmError(error).message}`);
      }
    } finally {
      this.#gate.leave(socket);
    }
  }

  #onPeerMessage(message: Incoming, conn: Connection): void {
    if (message.t === "ping") {
      // `cores`: how many calls we run at once, so a Node.map caller can place by load.
      const body = { cores: this.capacity };
      conn.reply(message.id, body);
      return;
    }
    if (message.t === "modules") {
      moduleIndexReply(this).then(
        (modules) => conn.reply(message.id, { modules }),
        (error) => conn.replyError(message.id, error),
      );
      return;
    }
    this.#service.handle(message, conn);
  }

  async #runRemote(
    callId: string,
    peer: Peer,
    spec: CallSpec,
    options: RunOptions,
  ): Promise<CallResult> {
    const sha256 = options.own ? undefined : options.loaded?.sha256 ??
      await this.#runtime.catalog.load(spec.module).then(
        (loaded) => loaded.sha256,
        () => undefined, // The peer may have it even if we do not.
      );
    const timeoutMs = options.timeoutMs ?? this.#runtime.timeoutMs;
    const signal = options.signal!;
    const label = spec.fn === undefined ? spec.module : `${spec.module}.${spec.fn}`;
    if (signal.aborted) throw new GvmError("CANCELLED", `${label} was cancelled`);
    signal.addEventListener("abort", () => peer.conn.send({ t: "cancel", callId }), { once: true });
    const reply = await peer.conn.request({
      t: "call",
      callId,
      module: spec.module,
      fn: spec.fn,
      args: encodeArgs(spec.args),
      sha256,
      timeoutMs,
      keep: options.keepInstance === true ? true : undefined,
      // The call's own world travels with it: the caller's environment, and stdin if given.
      env: [...options.env ?? this.#runtime.env],
      stdin: options.stdin,
    }, {
      timeoutMs: timeoutMs + REMOTE_GRACE_MS,
      signal,
      onEvent: (event) => {
        if (event.t === "out") options.onOutput?.(event.fd, event.data);
      },
    }).catch((error) => {
      // The same words as a local call, and always which node it happened on.
      if (signal.aborted) throw new GvmError("CANCELLED", `${label} was cancelled on ${peer.name}`);
      const err = toGvmError(error);
      throw new GvmError(err.code, `on ${peer.name}: ${err.message}`, {
        cause: err,
        exitCode: err.exitCode,
      });
    });
    // Output the call had not sent yet rides in its reply, after what was streamed.
    for (const [fd, data] of reply.out ?? []) options.onOutput?.(fd, data);
    return decodeResults(reply.values);
  }

  /** Version `version` of `module` from GPMD's store, compiled and cached by its hash. */
  async loadVersion(module: string, version: string): Promise<LoadedModule> {
    if (!this.#link.isUp) {
      const { host, port } = this.#link.address;
      throw new GvmError(
        "GPMD_DOWN",
        `GPMD at ${formatHostPort(host, port)} is unreachable: cannot fetch ${module}@${version}`,
      );
    }
    // A body compiled here already comes back as itself from `add`.
    return await this.#runtime.catalog.add(await this.#storeBody(module, version));
  }

  // Resolves a store module once per content: a small head request names the body's hash
  // (`version`'s, else the latest), and a body already compiled here is not downloaded again.
  async #storeBody(module: string, version?: string): Promise<ModuleBytes> {
    const client = this.#link.client;
    const head = await client.moduleHead({ name: module, version });
    const known = await this.#runtime.catalog.byHash(head.sha256);
    if (known) return known;
    const fetched = await client.fetchModule({ sha256: head.sha256 });
    return { ...fetched, name: module, hashChecked: true };
  }

  async #fetchFromStore(module: string) {
    if (!this.#link?.isUp) {
      // "No module named x" would send the user looking for a typo when GPMD is the problem.
      const { host, port } = this.#link.address;
      throw new GvmError(
        "GPMD_DOWN",
        `No module named ${module} in ${this.#runtime.catalog.modulesDir}, and GPMD at ${
          formatHostPort(host, port)
        } is unreachable, so its store was not searched`,
      );
    }
    try {
      return await this.#storeBody(module);
    } catch (error) {
      if (toGvmError(error).code === "MODULE_NOT_FOUND") return undefined;
      throw error;
    }
  }

  async #storeNames(): Promise<string[]> {
    if (!this.#link?.isUp) return [];
    return (await this.#link.client.listModules()).map((m) => m.name);
  }
}
