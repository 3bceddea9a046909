import { loadCookie } from "../cookie.ts";
import { GvmError, toGvmError } from "../errors.ts";
import { GpmdClient, parseGpmdAddress } from "../gpmd/client.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import { GpmdServer } from "../gpmd/server.ts";
import type { HomePaths } from "../home.ts";
import { formatHostPort, isLoopback } from "../names.ts";
import { loadTls, type TlsConfig } from "../protocol/transport.ts";
import type { CliCommand, ClientFlags } from "./args.ts";
import { connectGpmd } from "./connect.ts";
import { complain, formatDuration, say } from "./output.ts";
import { startDetachedChild } from "./detach.ts";
import { removeOwnPidFile } from "./node_files.ts";
import { GPMD_START_TIMEOUT_MS } from "../limits.ts";

const READY_PREFIX = "GPMD listening on ";

type StartFlags = Extract<CliCommand, { kind: "gpmd-start" }>;

/** `gvm gpmd start`: in the foreground, or as a daemon that outlives this command. */
export async function gpmdStart(home: HomePaths, flags: StartFlags): Promise<number> {
  const port = flags.port ?? parseGpmdAddress(Deno.env.get("GPMD_ADDR")).port;
  const options = { ...flags, port };
  const tls = await loadTls(flags.tls);
  if (!isLoopback(flags.listen)) {
    // Reachable from other machines: the cookie must be one the user made and shared on
    // purpose, not one created on the spot.
    const exists = await Deno.stat(home.cookie).then(() => true, () => false);
    if (!exists) {
      throw new GvmError(
        "COOKIE_ERROR",
        `GPMD on ${flags.listen} is reachable from other machines, so it needs a cookie you share on purpose: create ${home.cookie} (mode 600) with the same secret on every machine first`,
      );
    }
    if (!tls && !flags.detachedChild) {
      complain(
        `warning: GPMD listens on ${flags.listen} without TLS; start it with --tls-cert, --tls-key and --tls-ca to encrypt traffic`,
      );
    }
  }
  const cookie = await loadCookie(home);
  if (options.port !== 0) {
    const running = await findRunning({ host: options.listen, port: options.port }, cookie, tls);
    if (running) {
      say(
        `GPMD is already running on ${
          formatHostPort(running.hostname, running.port)
        } (pid ${running.pid})`,
      );
      return 0;
    }
  }
  if (!options.foreground && !options.detachedChild) return await startDetached(home, options);
  return await runForeground(home, cookie, tls, options);
}

async function runForeground(
  home: HomePaths,
  cookie: string,
  tls: TlsConfig | undefined,
  options: StartFlags & { port: number },
): Promise<number> {
  const log = await Deno.open(home.logFile, { append: true, create: true, mode: 0o600 });
  const encoder = new TextEncoder();
  const server = await GpmdServer.start({
    hostname: options.listen,
    port: options.port,
    home,
    cookie,
    tls,
    peers: options.peers.map(parseGpmdAddress),
    maxFrameBytes: options.caps.maxFrameBytes,
    maxModuleBytes: options.caps.maxModuleBytes,
    log: (line) => {
      // A full disk or a closed terminal must never take GPMD down with it.
      try {
        log.writeSync(encoder.encode(line + "\n"));
        if (!options.detachedChild) complain(line);
      } catch {
        // Nowhere left to say it.
      }
    },
    onClose: () => removeOwnPidFile(home.pidFile),
  });
  const pid = { pid: Deno.pid, hostname: server.hostname, port: server.port };
  await Deno.writeTextFile(home.pidFile, JSON.stringify(pid) + "\n");
  say(`${READY_PREFIX}${formatHostPort(server.hostname, server.port)} (pid ${Deno.pid})`);
  // The daemon's parent reads the line above and leaves; nothing may write to its pipe after.
  if (options.detachedChild) {
    Deno.stdout.close();
    Deno.stderr.close();
  }
  const stop = () => server.close();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
  await server.done;
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(signal, stop);
  log.close();
  return 0;
}

async function startDetached(
  home: HomePaths,
  options: StartFlags & { port: number },
): Promise<number> {
  const passOn = [
    ...options.peers.flatMap((peer) => ["--peer", peer]),
    ...(options.tls.cert ? ["--tls-cert", options.tls.cert] : []),
    ...(options.tls.key ? ["--tls-key", options.tls.key] : []),
    ...(options.tls.ca ? ["--tls-ca", options.tls.ca] : []),
    ...(options.caps.maxFrameBytes
      ? ["--max-frame-bytes", String(options.caps.maxFrameBytes)]
      : []),
    ...(options.caps.maxModuleBytes
      ? ["--max-module-bytes", String(options.caps.maxModuleBytes)]
      : []),
  ];
  const ready = await startDetachedChild(home, [
    "gpmd",
    "start",
    "--detached-child",
    "--port",
    String(options.port),
    "--listen",
    options.listen,
    ...passOn,
  ], { readyPrefix: READY_PREFIX, timeoutMs: GPMD_START_TIMEOUT_MS, what: "GPMD" });
  say(`GPMD started: ${ready}; log in ${home.logFile}`);
  return 0;
}

async function findRunning(address: GpmdAddress, cookie: string, tls: TlsConfig | undefined) {
  try {
    await using client = await GpmdClient.connect({
      address,
      cookie,
      tls,
    });
    return await client.status();
  } catch (error) {
    if (toGvmError(error).code === "GPMD_NOT_RUNNING") return undefined;
    throw error;
  }
}

/** `gvm gpmd stop`. */
export async function gpmdStop(home: HomePaths, flags: ClientFlags): Promise<number> {
  const client = await connectGpmd(home, flags);
  const { pid, hostname, port } = await client.status();
  await client.stop();
  await client.closed;
  say(`GPMD stopped (pid ${pid}, ${formatHostPort(hostname, port)})`);
  return 0;
}

/** `gvm gpmd status`. */
export async function gpmdStatus(home: HomePaths, flags: ClientFlags): Promise<number> {
  await using client = await connectGpmd(home, flags);
  const status = await client.status();
  const nodes = status.nodes.length > 0 ? ` (${status.nodes.join(", ")})` : "";
  say(
    [
      "GPMD is running",
      `  pid:     ${status.pid}`,
      `  address: ${formatHostPort(status.hostname, status.port)}`,
      `  uptime:  ${formatDuration(status.uptimeMs)}`,
      `  nodes:   ${status.nodes.length}${nodes}`,
      `  modules: ${status.modules}`,
    ].join("\n"),
  );
  return 0;
}
