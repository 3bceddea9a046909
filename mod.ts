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
export { ERROR_CODES, type ErrorCode, GvmError } from "./lib/errors.ts";
export { type HomePaths, homePaths } from "./lib/home.ts";
export { loadCookie } from "./lib/cookie.ts";
export { GpmdServer, type GpmdServerOptions } from "./lib/gpmd/server.ts";
export type { GpmdStatus } from "./lib/protocol/messages.ts";
export { GpmdClient, parseGpmdAddress } from "./lib/gpmd/client.ts";
export type { GpmdAddress } from "./lib/protocol/gpmd_types.ts";
export { GvmNode, type GvmNodeOptions, type NodeInfo, type RemoteCall } from "./lib/node/node.ts";
export type { CallOptions, CallResult, CallSpec } from "./lib/wasm/runtime.ts";
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
export { type CallArg, formatResults, type WasmValue } from "./lib/wasm/values.ts";
export { parseCommand } from "./lib/repl/parser.ts";
