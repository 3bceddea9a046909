import type { ErrorCode } from "../errors.ts";
import type { DirMapping } from "./dir_map.ts";
import type { WasmParam, WasmValue } from "./values.ts";

/** What a call runs: the WASI command (`_start`/`main`) with argv, or one export. */
export type Entry =
  | { kind: "command"; argv: string[] }
  | { kind: "export"; fn: string; params: WasmParam[] };

/**
 * How messages name a call: `module.fn` for an export, `module` for the command.
 *
 * @example
 * ```ts
 * callLabel({ moduleName: "math", entry: { kind: "export", fn: "add", params: [] } }); // "math.add"
 * ```
 */
export function callLabel(request: Pick<RunRequest, "moduleName" | "entry">): string {
  const { moduleName, entry } = request;
  return entry.kind === "export" ? `${moduleName}.${entry.fn}` : moduleName;
}

/** Node → sandbox: run one call. The module body is sent once per sandbox, then named by hash. */
export interface RunRequest {
  type: "run";
  callId: number;
  hash: string;
  moduleName: string;
  entry: Entry;
  env: string[];
  /** Memory cap in 64 KiB pages. */
  maxPages: number;
  /** Host folders the module may see (none by default). */
  dirs: DirMapping[];
  /** The call's standard input (empty when absent). */
  stdin?: Uint8Array;
  /** Reuse this sandbox's instance of the module across calls (library API opt-in). */
  keep?: boolean;
}

/** Sandbox → node messages. */
export type SandboxReply =
  | { type: "out"; callId: number; fd: 1 | 2; data: Uint8Array }
  | { type: "done"; callId: number; values: WasmValue[] }
  | { type: "fail"; callId: number; code: ErrorCode; message: string; exitCode?: number };
