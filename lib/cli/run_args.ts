import { GvmError } from "../errors.ts";
import { type FlagDefs, parseFlags } from "./flags.ts";
import { type DirMapping, parseDirMapping } from "../wasm/dir_map.ts";

/** `gvm run` as given on the command line. */
export interface RunCliOptions {
  file: string;
  /** The program's arguments (after FILE). */
  args: string[];
  /** Call this export instead of running the command (`_start`). */
  invoke?: string;
  /** `NAME=VALUE` strings. */
  env: string[];
  dirs: DirMapping[];
  timeoutSeconds?: number;
  maxMemoryMiB?: number;
}

const RUN_FLAGS: FlagDefs = {
  invoke: { type: "string" },
  env: { type: "string", multiple: true },
  dir: { type: "string", multiple: true },
  "allow-dir": { type: "string", multiple: true, aliasOf: "dir" },
  timeout: { type: "string" },
  "max-memory": { type: "string" },
  debug: { type: "boolean" }, // Read by main.ts from the raw arguments.
};

/**
 * Decodes `gvm run`'s arguments (those after `run`). Flags come before FILE; everything after
 * FILE is the program's own, `--help` included, as with `wasmtime run`.
 *
 * @example
 * ```ts
 * parseRunArgs(["--env", "A=1", "prog.wasm", "x"]); // { file: "prog.wasm", args: ["x"], ... }
 * ```
 */
export function parseRunArgs(argv: string[]): RunCliOptions {
  const { values, positionals } = parseFlags(argv, RUN_FLAGS, "gvm run", true);
  const timeout = values.timeout as string | undefined;
  const maxMemory = values["max-memory"] as string | undefined;
  const options: RunCliOptions = {
    file: "",
    args: [],
    invoke: values.invoke as string | undefined,
    env: ((values.env ?? []) as string[]).map(envEntry),
    dirs: ((values.dir ?? []) as string[]).map(parseDirMapping),
    timeoutSeconds: timeout === undefined ? undefined : positive(timeout, "--timeout"),
    maxMemoryMiB: maxMemory === undefined ? undefined : positive(maxMemory, "--max-memory"),
  };
  const [file, ...args] = positionals;
  if (file === undefined) {
    throw new GvmError("BAD_FLAGS", "gvm run needs a FILE.wasm to run (see gvm --help)");
  }
  return { ...options, file, args };
}

/**
 * Checks one `--env` value: `NAME=VALUE`, or a bare `NAME` taking this process's value.
 *
 * @example
 * ```ts
 * envEntry("LANG=C"); // "LANG=C"
 * ```
 */
export function envEntry(text: string): string {
  const eq = text.indexOf("=");
  const name = eq === -1 ? text : text.slice(0, eq);
  if (name === "") throw new GvmError("BAD_FLAGS", `--env takes NAME=VALUE, not '${text}'`);
  if (eq !== -1) return text;
  return `${name}=${Deno.env.get(name) ?? ""}`;
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new GvmError("BAD_FLAGS", `${flag} takes a positive number, not '${text}'`);
  }
  return value;
}
