import { GvmError } from "../errors.ts";
import { isNodeName, isPort } from "../names.ts";
import { type DirMapping, parseDirMapping } from "../wasm/dir_map.ts";
import { type FlagDefs, type FlagValues, parseFlags } from "./flags.ts";
import { envEntry, parseRunArgs, type RunCliOptions } from "./run_args.ts";
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_GPMD_HOST,
  DEFAULT_GPMD_PORT,
  DEFAULT_LISTEN_HOST,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MEMORY_MIB,
  DEFAULT_MAX_MODULE_BYTES,
  MAX_MODULE_BYTES_CEILING,
  MODULE_CHUNK_BYTES,
  RUN_DEFAULT_MAX_MEMORY_MIB,
} from "../limits.ts";

/** What the command line asks for, decoded and checked; no I/O happens here. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "node"; options: NodeCliOptions }
  | {
    kind: "gpmd-start";
    foreground: boolean;
    /** Undefined: the port of `GPMD_ADDR`, else 5989. */
    port?: number;
    listen: string;
    detachedChild: boolean;
    peers: string[];
    tls: TlsPaths;
    caps: CapFlags;
  }
  | { kind: "gpmd-stop"; client: ClientFlags }
  | { kind: "gpmd-status"; client: ClientFlags }
  | { kind: "wasm-upload"; client: ClientFlags; name: string; version: string; file: string }
  | { kind: "wasm-list"; client: ClientFlags }
  | { kind: "wasm-rm"; client: ClientFlags; name: string; version: string }
  | { kind: "node-list" }
  | { kind: "node-stop"; name: string }
  | { kind: "run"; options: RunCliOptions };

/** `--tls-cert`, `--tls-key`, `--tls-ca` as given. */
export interface TlsPaths {
  cert?: string;
  key?: string;
  ca?: string;
}

/** How a CLI command reaches GPMD. */
export interface ClientFlags {
  gpmd?: string;
  tls: TlsPaths;
}

const HELP_FLAG: FlagDefs = { help: { type: "boolean", short: "h" } };

const TLS_FLAGS: FlagDefs = {
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-ca": { type: "string" },
};

const CLIENT_FLAGS: FlagDefs = { gpmd: { type: "string" }, ...TLS_FLAGS, ...HELP_FLAG };

const CAP_FLAGS: FlagDefs = {
  "max-frame-bytes": { type: "string" },
  "max-module-bytes": { type: "string" },
};

/** Size caps as given; undefined means the default. */
export interface CapFlags {
  maxFrameBytes?: number;
  maxModuleBytes?: number;
}

function capFlags(values: FlagValues): CapFlags {
  return {
    // A module chunk and its frame head must fit in a frame.
    maxFrameBytes: number(
      str(values, "max-frame-bytes"),
      "--max-frame-bytes",
      MODULE_CHUNK_BYTES + 1024,
    ),
    maxModuleBytes: number(
      str(values, "max-module-bytes"),
      "--max-module-bytes",
      8,
      MAX_MODULE_BYTES_CEILING,
    ),
  };
}

function tlsPaths(values: FlagValues): TlsPaths {
  return { cert: str(values, "tls-cert"), key: str(values, "tls-key"), ca: str(values, "tls-ca") };
}

function str(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

function list(values: FlagValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}

function bool(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/** Flags of a node. */
export interface NodeCliOptions {
  name?: string;
  modules?: string;
  gpmd?: string;
  listen?: string;
  advertise?: string;
  tls: TlsPaths;
  caps: CapFlags;
  commands: string[];
  timeoutSeconds?: number;
  maxMemoryMiB?: number;
  workers?: number;
  isolation?: "inline" | "process";
  denyPeers: boolean;
  allowDirs: DirMapping[];
  /** `--env NAME=VALUE`: the environment of this node's calls. */
  env: string[];
  /** `--serve`: no prompt; serve peers until SIGTERM. */
  serve: boolean;
  /** `--detached`: `--serve` in the background, pid and log in GHOST_HOME. */
  detached: boolean;
  /** Internal: this process is the background child of `--detached`. */
  detachedChild: boolean;
}

/**
 * Decodes `gvm`'s arguments. Unknown flags or missing values throw `BAD_FLAGS`.
 *
 * @example
 * ```ts
 * parseCli(["gpmd", "start", "--port", "0"]); // { kind: "gpmd-start", port: 0, ... }
 * ```
 */
export function parseCli(argv: string[]): CliCommand {
  const [first, second] = argv;
  // Everything after `gvm run FILE` is the program's own, `--help` included.
  if (first === "run") {
    if (second === "--help" || second === "-h") return { kind: "help" };
    return { kind: "run", options: parseRunArgs(argv.slice(1)) };
  }
  // A subcommand's flags are its own: `wasm upload --version v1` is never the global --version.
  if (first === "gpmd") return parseGpmd(second, argv.slice(2));
  if (first === "wasm") return parseWasm(second, argv.slice(2));
  if (first === "node") return parseNodeAdmin(second, argv.slice(2));
  return parseNode(argv);
}

// Every subcommand takes --help (-h) too; asking for help is never an unknown flag.
function parse(args: string[], defs: FlagDefs, command: string) {
  if (args.includes("--help") || args.includes("-h")) return undefined;
  return parseFlags(args, { ...defs, ...HELP_FLAG }, command);
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw new GvmError(
      "BAD_FLAGS",
      `Unexpected '${positionals[0]}' after ${command} (see gvm --help)`,
    );
  }
}

function parseNode(argv: string[]): CliCommand {
  const parsed = parse(argv, {
    version: { type: "boolean", short: "V" },
    name: { type: "string" },
    modules: { type: "string" },
    gpmd: { type: "string" },
    listen: { type: "string" },
    advertise: { type: "string" },
    ...TLS_FLAGS,
    ...CAP_FLAGS,
    // Only -c is documented: its long name never shows up in messages.
    command: { type: "string", short: "c", multiple: true, hidden: true },
    timeout: { type: "string" },
    "max-memory": { type: "string" },
    workers: { type: "string" },
    isolation: { type: "string" },
    "deny-peers": { type: "boolean" },
    "allow-dir": { type: "string", multiple: true },
    env: { type: "string", multiple: true },
    // main.ts reads --debug from the raw arguments, so it works when decoding them fails too.
    debug: { type: "boolean" },
    serve: { type: "boolean" },
    detached: { type: "boolean" },
    "detached-child": { type: "boolean", hidden: true },
  }, "gvm");
  if (!parsed) return { kind: "help" };
  const { values, positionals } = parsed;
  if (bool(values, "version")) return { kind: "version" };
  noPositionals(positionals, "gvm");
  const name = str(values, "name");
  if (name !== undefined && !isNodeName(name)) {
    throw new GvmError("BAD_FLAGS", `Bad node name '${name}': use 1 to 64 letters, digits, . _ -`);
  }
  const options: NodeCliOptions = {
    name,
    modules: str(values, "modules"),
    gpmd: str(values, "gpmd"),
    listen: str(values, "listen"),
    advertise: str(values, "advertise"),
    tls: tlsPaths(values),
    caps: capFlags(values),
    commands: list(values, "command"),
    timeoutSeconds: number(str(values, "timeout"), "--timeout", 0.001),
    maxMemoryMiB: number(str(values, "max-memory"), "--max-memory", 1),
    workers: number(str(values, "workers"), "--workers", 1),
    isolation: isolation(str(values, "isolation")),
    denyPeers: bool(values, "deny-peers"),
    allowDirs: list(values, "allow-dir").map(parseDirMapping),
    env: list(values, "env").map(envEntry),
    serve: bool(values, "serve") || bool(values, "detached-child"),
    detached: bool(values, "detached"),
    detachedChild: bool(values, "detached-child"),
  };
  if ((options.serve || options.detached) && options.commands.length > 0) {
    throw new GvmError("BAD_FLAGS", "--serve and --detached run no commands: drop -c");
  }
  return { kind: "node", options };
}

function isolation(text: string | undefined): "inline" | "process" | undefined {
  if (text === undefined || text === "inline" || text === "process") return text;
  throw new GvmError("BAD_FLAGS", `--isolation takes inline or process, not '${text}'`);
}

function parseGpmd(action: string | undefined, rest: string[]): CliCommand {
  switch (action) {
    case "--help":
    case "-h":
      return { kind: "help" };
    case "start": {
      const parsed = parse(rest, {
        foreground: { type: "boolean" },
        port: { type: "string" },
        listen: { type: "string" },
        peer: { type: "string", multiple: true },
        ...TLS_FLAGS,
        ...CAP_FLAGS,
        "detached-child": { type: "boolean", hidden: true },
      }, "gvm gpmd start");
      if (!parsed) return { kind: "help" };
      const { values, positionals } = parsed;
      noPositionals(positionals, "gvm gpmd start");
      const port = number(str(values, "port"), "--port", 0);
      if (port !== undefined && !isPort(port, { allowZero: true })) {
        throw new GvmError("BAD_FLAGS", `--port takes 0 to 65535, not ${values.port}`);
      }
      return {
        kind: "gpmd-start",
        foreground: bool(values, "foreground"),
        port,
        listen: str(values, "listen") ?? DEFAULT_LISTEN_HOST,
        detachedChild: bool(values, "detached-child"),
        peers: list(values, "peer"),
        tls: tlsPaths(values),
        caps: capFlags(values),
      };
    }
    case "stop":
    case "kill":
    case "status": {
      const parsed = parse(rest, CLIENT_FLAGS, `gvm gpmd ${action}`);
      if (!parsed) return { kind: "help" };
      const { values, positionals } = parsed;
      noPositionals(positionals, `gvm gpmd ${action}`);
      const client = { gpmd: str(values, "gpmd"), tls: tlsPaths(values) };
      return { kind: action === "status" ? "gpmd-status" : "gpmd-stop", client };
    }
    default:
      throw new GvmError(
        "BAD_FLAGS",
        `Unknown gpmd command '${action ?? ""}': use start, stop (kill) or status`,
      );
  }
}

function parseNodeAdmin(action: string | undefined, rest: string[]): CliCommand {
  const parsed = parse(rest, {}, `gvm node ${action ?? ""}`.trim());
  if (!parsed || action === "--help" || action === "-h") return { kind: "help" };
  const { positionals } = parsed;
  if (action === "list") {
    noPositionals(positionals, "gvm node list");
    return { kind: "node-list" };
  }
  if (action === "stop") {
    const [name, ...more] = positionals;
    if (name === undefined) throw new GvmError("BAD_FLAGS", "gvm node stop needs a node NAME");
    noPositionals(more, `gvm node stop ${name}`);
    return { kind: "node-stop", name };
  }
  throw new GvmError("BAD_FLAGS", `Unknown node command '${action ?? ""}': use list or stop NAME`);
}

function parseWasm(action: string | undefined, rest: string[]): CliCommand {
  if (action === "--help" || action === "-h") return { kind: "help" };
  if (action === "list") {
    const parsed = parse(rest, CLIENT_FLAGS, "gvm wasm list");
    if (!parsed) return { kind: "help" };
    const { values, positionals } = parsed;
    noPositionals(positionals, "gvm wasm list");
    return { kind: "wasm-list", client: { gpmd: str(values, "gpmd"), tls: tlsPaths(values) } };
  }
  if (action === "upload") {
    const parsed = parse(rest, {
      ...CLIENT_FLAGS,
      name: { type: "string" },
      version: { type: "string" },
      file: { type: "string" },
    }, "gvm wasm upload");
    if (!parsed) return { kind: "help" };
    const { values, positionals } = parsed;
    noPositionals(positionals, "gvm wasm upload");
    const [name, version, file] = [
      str(values, "name"),
      str(values, "version"),
      str(values, "file"),
    ];
    if (!name || !version || !file) {
      throw new GvmError(
        "BAD_FLAGS",
        "gvm wasm upload needs --name=NAME --version=VERSION --file=PATH",
      );
    }
    const client = { gpmd: str(values, "gpmd"), tls: tlsPaths(values) };
    return { kind: "wasm-upload", client, name, version, file };
  }
  if (action === "rm") {
    const parsed = parse(rest, {
      ...CLIENT_FLAGS,
      name: { type: "string" },
      version: { type: "string" },
    }, "gvm wasm rm");
    if (!parsed) return { kind: "help" };
    const { values, positionals } = parsed;
    noPositionals(positionals, "gvm wasm rm");
    const [name, version] = [str(values, "name"), str(values, "version")];
    if (!name || !version) {
      throw new GvmError("BAD_FLAGS", "gvm wasm rm needs --name=NAME --version=VERSION");
    }
    return {
      kind: "wasm-rm",
      client: { gpmd: str(values, "gpmd"), tls: tlsPaths(values) },
      name,
      version,
    };
  }
  throw new GvmError(
    "BAD_FLAGS",
    `Unknown wasm command '${action ?? ""}': use upload, list or rm`,
  );
}

function number(
  text: string | undefined,
  flag: string,
  min: number,
  max = Infinity,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new GvmError("BAD_FLAGS", `${flag} takes a number of ${range}, not '${text}'`);
  }
  return value;
}

// Defaults in the help text come from lib/limits.ts.
const GPMD_DEFAULT = `${DEFAULT_GPMD_HOST}:${DEFAULT_GPMD_PORT}`;

/** `gvm --help`. */
export const USAGE = `gvm — the Ghost Virtual Machine: a WebAssembly node with a prompt

Usage:
  gvm [--name NAME] [--modules DIR] [--gpmd HOST:PORT] [--listen HOST:PORT] [--env K=V]...
      [-c COMMAND]...
  gvm --serve | --detached [node options]   a node with no prompt (like erl -detached)
  gvm node list | gvm node stop NAME        the --detached nodes of GHOST_HOME
  gvm run [--invoke FN] [--env K=V]... [--dir HOST[:GUEST]]... [--timeout S] [--max-memory MIB]
      FILE.wasm [ARGS...]
  gvm gpmd start [--foreground] [--port PORT] [--listen ADDR] [--peer HOST:PORT]...
  gvm gpmd stop          (alias: gvm gpmd kill)
  gvm gpmd status
  gvm wasm upload --name=NAME --version=VERSION --file=PATH
  gvm wasm list
  gvm wasm rm --name=NAME --version=VERSION
  gvm --help | --version

Node options:
  --name NAME          node name (default node-NNNN, 4 random digits)
  --modules DIR        modules folder (default $GVM_MODULES, else ./modules)
  --gpmd HOST:PORT     GPMD to register with (default $GPMD_ADDR, else ${GPMD_DEFAULT})
  --listen HOST:PORT   peer listening address (default ${DEFAULT_LISTEN_HOST}:0, a free port)
  --advertise HOST     the address other machines' nodes should dial (default: --listen's)
  -c COMMAND           run this prompt command (repeatable), then exit
  --timeout SECONDS    time limit per call (default ${DEFAULT_CALL_TIMEOUT_MS / 1000})
  --max-memory MIB     memory cap per wasm instance (default ${DEFAULT_MAX_MEMORY_MIB})
  --workers N          sandbox processes running wasm (default: CPUs, at most 4)
  --isolation MODE     inline (default): a call runs on the node's thread for up to 5 ms, then
                       moves to a sandbox process; process: every call in a sandbox process
  --allow-dir HOST_DIR[:GUEST_DIR]
                       let modules see this folder, in place (repeatable; none by default)
  --env NAME=VALUE     environment of this node's calls (repeatable; a bare NAME takes gvm's)
  --serve              no prompt: serve peers until SIGTERM; status lines on stderr
  --detached           --serve in the background; pid and log in $GHOST_HOME/nodes/
  --deny-peers         refuse incoming peer connections
  --debug              print the cause behind errors

GPMD options:
  --port PORT          port to listen on (default: the port of $GPMD_ADDR, else ${DEFAULT_GPMD_PORT};
                       0 picks a free one and prints it)
  --listen ADDR        address to listen on (default ${DEFAULT_LISTEN_HOST})
  --foreground         stay attached instead of running as a daemon
  --peer HOST:PORT     another machine's GPMD whose nodes discovery lists as name@host
                       (repeatable)
  --gpmd HOST:PORT     (stop, status, wasm) the GPMD to talk to (default $GPMD_ADDR, else
                       the one started from GHOST_HOME (its pid file), else ${GPMD_DEFAULT})

Size caps (GPMD and nodes):
  --max-frame-bytes N  largest protocol frame accepted after the handshake (default ${
  DEFAULT_MAX_FRAME_BYTES / 1024 / 1024
} MiB;
                       before it, 64 KiB; at least 513 KiB: modules travel in 512 KiB chunks)
  --max-module-bytes N largest module loaded or stored (default ${
  DEFAULT_MAX_MODULE_BYTES / 1024 / 1024
} MiB)

TLS (GPMD, nodes, and the stop/status/wasm commands alike):
  --tls-cert FILE --tls-key FILE --tls-ca FILE
                       use TLS for every connection; the other side's certificate must be
                       signed by the CA. The cookie handshake still runs inside.

Every flag takes --flag VALUE and --flag=VALUE alike.

Without -c and with standard input not a terminal, gvm reads one command a line and prints no
prompt. With -c or piped input, stdout carries only what calls print and return; start-up lines
and errors go to stderr. The exit status is that of the last failing command: a WASI program's own
exit code (error: EXIT_CODE), else 1. At the prompt a call's stdin is empty.

gvm run: one shot, no GPMD. Runs FILE.wasm's _start (or --invoke FN, printing its results one per
line) with ARGS as its argv, gvm's own stdin, only the --env variables, and the --dir folders
(HOST[:GUEST], also HOST::GUEST); stdout is only the program's. gvm exits with the program's exit
code; other failures print one error line and exit 1.
  --invoke FN          call this export with ARGS instead of running the program
  --dir HOST[:GUEST]   map a folder (alias --allow-dir; repeatable)
  --timeout SECONDS    stop the program after this long (default: no limit)
  --max-memory MIB     memory cap (default ${RUN_DEFAULT_MAX_MEMORY_MIB})

Environment:
  GHOST_HOME   home for the cookie, module store, GPMD pid file and log, history
               (default ~/.ghost-network)
  GPMD_ADDR    default for --gpmd
  GVM_MODULES  default for --modules

At the prompt, type help for the commands.`;
