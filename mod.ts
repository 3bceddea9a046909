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
 * ```
 *
 * @module
 */
export { ERROR_CODES, type ErrorCode, GvmError } from "./lib/errors.ts";
export { type HomePaths, homePaths } from "./lib/home.ts";
export { loadCookie } from "./lib/cookie.ts";
export { GpmdServer, type GpmdServerOptions, type GpmdStatus } from "./lib/gpmd/server.ts";
export { type GpmdAddress, GpmdClient, parseGpmdAddress } from "./lib/gpmd/client.ts";
export { GvmNode, type GvmNodeOptions, type NodeInfo, type RemoteCall } from "./lib/node/node.ts";
export type { CallOptions, CallResult, CallSpec } from "./lib/wasm/runtime.ts";
export { type CallArg, formatResults, type WasmValue } from "./lib/wasm/values.ts";
export { parseCommand } from "./lib/repl/parser.ts";
