import { GvmError } from "../errors.ts";
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
  debug: boolean;
}

const VALUE_FLAGS = new Set([
  "--invoke",
  "--env",
  "--dir",
  "--allow-dir",
  "--timeout",
  "--max-memory",
]);

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
  const options: RunCliOptions = { file: "", args: [], env: [], dirs: [], debug: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (flag === "--debug") {
      options.debug = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) {
      throw new GvmError("BAD_FLAGS", `Unknown option '${flag}' for gvm run (see gvm --help)`);
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    // `--invoke --env X=1 prog.wasm`: the value was forgotten, and the next flag is not it.
    const isFlag = eq === -1 && value !== undefined &&
      (VALUE_FLAGS.has(value.split("=", 1)[0]) || value === "--debug");
    if (value === undefined || isFlag) throw new GvmError("BAD_FLAGS", `${flag} needs a value`);
    switch (flag) {
      case "--invoke":
        options.invoke = value;
        break;
      case "--env":
        options.env.push(envEntry(value));
        break;
      case "--dir":
      case "--allow-dir":
        options.dirs.push(parseDirMapping(value));
        break;
      case "--timeout":
        options.timeoutSeconds = positive(value, flag);
        break;
      case "--max-memory":
        options.maxMemoryMiB = positive(value, flag);
        break;
    }
  }
  const file = argv[i];
  if (file === undefined) {
    throw new GvmError("BAD_FLAGS", "gvm run needs a FILE.wasm to run (see gvm --help)");
  }
  options.file = file;
  options.args = argv.slice(i + 1);
  return options;
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
