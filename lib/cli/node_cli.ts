import { GvmError } from "../errors.ts";
import { parseGpmdAddress } from "../gpmd/client.ts";
import { parseHostPort } from "../names.ts";
import type { HomePaths } from "../home.ts";
import { GvmNode } from "../node/node.ts";
import { loadTls } from "../protocol/transport.ts";
import { runSession } from "../repl/session.ts";
import type { NodeCliOptions } from "./args.ts";
import { complain, say } from "./output.ts";
import { serveNode, startDetachedNode } from "./serve_cli.ts";
import { DEFAULT_LISTEN_HOST } from "../limits.ts";

/** `gvm [flags]`: start a node, then run its prompt, `-c` commands or piped input. */
export async function runNode(home: HomePaths, options: NodeCliOptions): Promise<number> {
  if (options.detached) return await startDetachedNode(home, Deno.args);
  for (const { host } of options.allowDirs) {
    const isDirectory = await Deno.stat(host).then((info) => info.isDirectory, () => false);
    if (!isDirectory) throw new GvmError("BAD_FLAGS", `--allow-dir ${host}: not a folder`);
  }
  const modulesDir = absolute(options.modules ?? Deno.env.get("GVM_MODULES") ?? "modules");
  if (options.modules !== undefined || Deno.env.get("GVM_MODULES")) {
    // A folder asked for by name must exist: a typo would otherwise run with no modules at all.
    // (The default ./modules may be missing: modules then come from GPMD's store.)
    const isDirectory = await Deno.stat(modulesDir).then((info) => info.isDirectory, () => false);
    const source = options.modules !== undefined ? "--modules" : "GVM_MODULES";
    if (!isDirectory) throw new GvmError("BAD_FLAGS", `${source} ${modulesDir}: not a folder`);
  }
  let notify: (line: string) => void = () => {};
  const node = await GvmNode.start({
    name: options.name,
    gpmd: parseGpmdAddress(options.gpmd ?? Deno.env.get("GPMD_ADDR")),
    modulesDir,
    home,
    listen: parseListen(options.listen),
    timeoutMs: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
    maxMemoryMiB: options.maxMemoryMiB,
    workers: options.workers,
    isolation: options.isolation,
    denyPeers: options.denyPeers,
    advertise: options.advertise,
    maxFrameBytes: options.caps.maxFrameBytes,
    maxModuleBytes: options.caps.maxModuleBytes,
    tls: await loadTls(options.tls),
    allowDirs: options.allowDirs,
    env: options.env,
    log: (line) => notify(line),
  });
  try {
    if (options.serve) {
      return await serveNode(home, node, options.detachedChild, (fn) => notify = fn);
    }
    // Scripts (-c, piped input) get only what calls print and return on stdout.
    const status = options.commands.length > 0 || !Deno.stdin.isTerminal() ? complain : say;
    status(`GVM has been created ${node.name} (${node.id})`);
    status(`Listening for nodes on port ${node.port}`);
    return await runSession({
      node,
      commands: options.commands,
      historyFile: home.history,
      onNotify: (fn) => notify = fn,
    });
  } finally {
    node.close();
  }
}

function parseListen(text: string | undefined): { hostname: string; port: number } {
  const { host, port } = parseHostPort(
    text ?? "",
    { host: DEFAULT_LISTEN_HOST, port: 0 },
    "--listen",
  );
  return { hostname: host, port };
}

// Messages name the folder a user can go and look in, whatever the cwd they started from.
function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path.replace(/^\.\//, "")}`;
}
