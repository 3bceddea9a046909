import { parseArgs, type ParseArgsConfig } from "node:util";
import { GvmError } from "../errors.ts";
import { isNodeName } from "../node/node_ref.ts";
import { type DirMapping, parseDirMapping } from "../wasm/dir_map.ts";

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
  | { kind: "wasm-list"; client: ClientFlags };

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

const TLS_FLAGS = {
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-ca": { type: "string" },
} as const;

const CLIENT_FLAGS = { gpmd: { type: "string" }, ...TLS_FLAGS } as const;

const CAP_FLAGS = {
  "max-frame-bytes": { type: "string" },
  "max-module-bytes": { type: "string" },
} as const;

/** Size caps as given; undefined means the default. */
export interface CapFlags {
  maxFrameBytes?: number;
  maxModuleBytes?: number;
}

function capFlags(values: { "max-frame-bytes"?: string; "max-module-bytes"?: string }): CapFlags {
  return {
    maxFrameBytes: number(values["max-frame-bytes"], "--max-frame-bytes", 1024),
    maxModuleBytes: number(values["max-module-bytes"], "--max-module-bytes", 8),
  };
}

function tlsPaths(
  values: { "tls-cert"?: string; "tls-key"?: string; "tls-ca"?: string },
): TlsPaths {
  return { cert: values["tls-cert"], key: values["tls-key"], ca: values["tls-ca"] };
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
  debug: boolean;
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
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };
  if (argv.includes("--version") || argv.includes("-V")) return { kind: "version" };
  const [first, second] = argv;
  if (first === "gpmd") return parseGpmd(second, argv.slice(2));
  if (first === "wasm") return parseWasm(second, argv.slice(2));
  return { kind: "node", options: parseNode(argv) };
}

type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

function parse<T extends FlagSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
  } catch (error) {
    throw new GvmError("BAD_FLAGS", `${(error as Error).message} (see gvm --help)`);
  }
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw new GvmError(
      "BAD_FLAGS",
      `Unexpected '${positionals[0]}' after ${command} (see gvm --help)`,
    );
  }
}

function parseNode(argv: string[]): NodeCliOptions {
  const { values, positionals } = parse(argv, {
    name: { type: "string" },
    modules: { type: "string" },
    gpmd: { type: "string" },
    listen: { type: "string" },
    advertise: { type: "string" },
    ...TLS_FLAGS,
    ...CAP_FLAGS,
    command: { type: "string", short: "c", multiple: true },
    timeout: { type: "string" },
    "max-memory": { type: "string" },
    workers: { type: "string" },
    isolation: { type: "string" },
    "deny-peers": { type: "boolean" },
    "allow-dir": { type: "string", multiple: true },
    debug: { type: "boolean" },
  });
  noPositionals(positionals, "gvm");
  if (values.name !== undefined && !isNodeName(values.name)) {
    throw new GvmError(
      "BAD_FLAGS",
      `Bad node name '${values.name}': use 1 to 64 letters, digits, . _ -`,
    );
  }
  return {
    name: values.name,
    modules: values.modules,
    gpmd: values.gpmd,
    listen: values.listen,
    advertise: values.advertise,
    tls: tlsPaths(values),
    caps: capFlags(values),
    commands: values.command ?? [],
    timeoutSeconds: number(values.timeout, "--timeout", 0.001),
    maxMemoryMiB: number(values["max-memory"], "--max-memory", 1),
    workers: number(values.workers, "--workers", 1),
    isolation: isolation(values.isolation),
    denyPeers: values["deny-peers"] ?? false,
    allowDirs: (values["allow-dir"] ?? []).map(parseDirMapping),
    debug: values.debug ?? false,
  };
}

function isolation(text: string | undefined): "inline" | "process" | undefined {
  if (text === undefined || text === "inline" || text === "process") return text;
  throw new GvmError("BAD_FLAGS", `--isolation takes inline or process, not '${text}'`);
}

function parseGpmd(action: string | undefined, rest: string[]): CliCommand {
  switch (action) {
    case "start": {
      const { values, positionals } = parse(rest, {
        foreground: { type: "boolean" },
        port: { type: "string" },
        listen: { type: "string" },
        peer: { type: "string", multiple: true },
        ...TLS_FLAGS,
        ...CAP_FLAGS,
        "detached-child": { type: "boolean" },
      });
      noPositionals(positionals, "gvm gpmd start");
      const port = number(values.port, "--port", 0);
      if (port !== undefined && (!Number.isInteger(port) || port > 65535)) {
        throw new GvmError("BAD_FLAGS", `--port takes 0 to 65535, not ${values.port}`);
      }
      return {
        kind: "gpmd-start",
        foreground: values.foreground ?? false,
        port,
        listen: values.listen ?? "127.0.0.1",
        detachedChild: values["detached-child"] ?? false,
        peers: values.peer ?? [],
        tls: tlsPaths(values),
        caps: capFlags(values),
      };
    }
    case "stop":
    case "kill":
    case "status": {
      const { values, positionals } = parse(rest, CLIENT_FLAGS);
      noPositionals(positionals, `gvm gpmd ${action}`);
      const client = { gpmd: values.gpmd, tls: tlsPaths(values) };
      return { kind: action === "status" ? "gpmd-status" : "gpmd-stop", client };
    }
    default:
      throw new GvmError(
        "BAD_FLAGS",
        `Unknown gpmd command '${action ?? ""}': use start, stop (kill) or status`,
      );
  }
}

function parseWasm(action: string | undefined, rest: string[]): CliCommand {
  if (action === "list") {
    const { values, positionals } = parse(rest, CLIENT_FLAGS);
    noPositionals(positionals, "gvm wasm list");
    return { kind: "wasm-list", client: { gpmd: values.gpmd, tls: tlsPaths(values) } };
  }
  if (action === "upload") {
    const { values, positionals } = parse(rest, {
      ...CLIENT_FLAGS,
      name: { type: "string" },
      version: { type: "string" },
      file: { type: "string" },
    });
    noPositionals(positionals, "gvm wasm upload");
    const { name, version, file } = values;
    if (!name || !version || !file) {
      throw new GvmError(
        "BAD_FLAGS",
        "gvm wasm upload needs --name=NAME --version=VERSION --file=PATH",
      );
    }
    const client = { gpmd: values.gpmd, tls: tlsPaths(values) };
    return { kind: "wasm-upload", client, name, version, file };
  }
  throw new GvmError("BAD_FLAGS", `Unknown wasm command '${action ?? ""}': use upload or list`);
}

function number(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min) {
    throw new GvmError("BAD_FLAGS", `${flag} takes a number of at least ${min}, not '${text}'`);
  }
  return value;
}

/** `gvm --help`. */
export const USAGE = `gvm — the Ghost Virtual Machine: a WebAssembly node with a prompt

Usage:
  gvm [--name NAME] [--modules DIR] [--gpmd HOST:PORT] [--listen HOST:PORT] [-c COMMAND]...
  gvm gpmd start [--foreground] [--port PORT] [--listen ADDR] [--peer HOST:PORT]...
  gvm gpmd stop          (alias: gvm gpmd kill)
  gvm gpmd status
  gvm wasm upload --name=NAME --version=VERSION --file=PATH
  gvm wasm list
  gvm --help | --version

Node options:
  --name NAME          node name (default node-NNNN, 4 random digits)
  --modules DIR        modules folder (default $GVM_MODULES, else ./modules)
  --gpmd HOST:PORT     GPMD to register with (default $GPMD_ADDR, else 127.0.0.1:5989)
  --listen HOST:PORT   peer listening address (default 127.0.0.1:0, a free port)
  --advertise HOST     the address other machines' nodes should dial (default: --listen's)
  -c COMMAND           run this prompt command (repeatable), then exit
  --timeout SECONDS    time limit per call (default 30)
  --max-memory MIB     memory cap per wasm instance (default 256)
  --workers N          sandbox processes running wasm (default: CPUs, at most 4)
  --isolation MODE     inline (default): a call runs on the node's thread for up to 5 ms, then
                       moves to a sandbox process; process: every call in a sandbox process
  --allow-dir HOST_DIR[:GUEST_DIR]
                       let modules see this folder (repeatable; none by default)
  --deny-peers         refuse incoming peer connections
  --debug              print the cause behind errors

GPMD options:
  --port PORT          port to listen on (default: the port of $GPMD_ADDR, else 5989;
                       0 picks a free one and prints it)
  --listen ADDR        address to listen on (default 127.0.0.1)
  --foreground         stay attached instead of running as a daemon
  --peer HOST:PORT     another machine's GPMD whose nodes discovery lists as name@host
                       (repeatable)
  --gpmd HOST:PORT     (stop, status, wasm) the GPMD to talk to

Size caps (GPMD and nodes):
  --max-frame-bytes N  largest protocol frame accepted after the handshake (default 16 MiB;
                       before it, 64 KiB)
  --max-module-bytes N largest module loaded or stored (default 10 MiB)

TLS (GPMD, nodes, and the stop/status/wasm commands alike):
  --tls-cert FILE --tls-key FILE --tls-ca FILE
                       use TLS for every connection; the other side's certificate must be
                       signed by the CA. The cookie handshake still runs inside.

Without -c and with standard input not a terminal, gvm reads one command a line and prints no
prompt. The exit status is non-zero if any command failed.

Environment:
  GHOST_HOME   home for the cookie, module store, GPMD pid file and log, history
               (default ~/.ghost-network)
  GPMD_ADDR    default for --gpmd
  GVM_MODULES  default for --modules

At the prompt, type help for the commands.`;
