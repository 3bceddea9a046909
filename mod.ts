/**
 * GVM's library API: run a GPMD and nodes in-process, call wasm locally and on peers.
 *
 * @example
 * ```ts
 * import { GpmdServer, GvmNode, homePaths } from "./mod.ts";
 * await using gpmd = await GpmdServer.start({ port: 0, home: homePaths("/tmp/ghost"), cookie: "secret" });
 * await using node = await GvmNode.start({
 *   gpmd: { host: "127.0.0.1", port: gpmd.port },
 *   cookie: "secret",
 *   modulesDir: "./modules",
 * });
 * const { values } = await node.call({ module: "math", fn: "add", args: [
 *   { type: "int", value: 1n },
 *   { type: "int", value: 2n },
 * ] });
 * // One call per item across this node and its peers, results in input order:
 * for await (const r of node.map({ module: "math", fn: "add" }, [
 *   [{ type: "int", value: 1n }, { type: "int", value: 2n }],
 *   [{ type: "int", value: 3n }, { type: "int", value: 4n }],
 * ])) console.log(r.node, r.error?.code ?? r.result?.values);
 * ```
 *
 * @module
 */

// Errors.
export { ERROR_CODES, type ErrorCode, GvmError, type GvmErrorOptions } from "./lib/errors.ts";

// The ghost home, the cookie and TLS.
export { type HomePaths, homePaths } from "./lib/home.ts";
export { loadCookie } from "./lib/cookie.ts";
export type { TlsConfig } from "./lib/protocol/transport.ts";

// GPMD: the server, a client, and the shapes they exchange.
export { GpmdServer, type GpmdServerOptions } from "./lib/gpmd/server.ts";
export { GpmdClient, type GpmdClientOptions, parseGpmdAddress } from "./lib/gpmd/client.ts";
export type { GpmdAddress, StoredModule } from "./lib/protocol/gpmd_types.ts";
export type {
  GpmdStatus,
  ModuleHead,
  ModuleListing,
  ModuleVersion,
  NodeEntry,
} from "./lib/protocol/messages.ts";

// Nodes and their calls.
export {
  GvmNode,
  type GvmNodeOptions,
  type NodeInfo,
  type RemoteCall,
  type RunOptions,
} from "./lib/node/node.ts";
export type {
  CallOptions,
  CallResult,
  CallSpec,
  InlineStats,
  Isolation,
} from "./lib/wasm/runtime.ts";
export { type CallArg, formatResults, type WasmValue } from "./lib/wasm/values.ts";
export type { DirMapping } from "./lib/wasm/dir_map.ts";
export type { ModuleIndex } from "./lib/node/module_index.ts";

// Modules as read and compiled.
export type { LoadedModule } from "./lib/wasm/catalog.ts";
export type { ModuleInfo } from "./lib/wasm/signatures.ts";
export type {
  ExternKind,
  FuncSignature,
  ImportEntry,
  LimitsRange,
  MemoryLimits,
  SectionRange,
  ValType,
  WasmModule,
} from "./lib/wasm/module_reader.ts";

// Map: one call per item across a node and its peers.
export { MAP_OUTPUT_CAP } from "./lib/limits.ts";
export {
  type MapHost,
  type MapNodeProgress,
  type MapOptions,
  type MapOutput,
  type MapProgress,
  type MapResult,
  type MapSpec,
  runMap,
} from "./lib/node/map.ts";
export { MapScheduler, type Placement, type SchedulerNode } from "./lib/node/map_scheduler.ts";

// The prompt's parser.
export {
  type Arg,
  type CallExpr,
  type Command,
  type MapTarget,
  parseCommand,
} from "./lib/repl/parser.ts";
