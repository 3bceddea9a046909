import type { HomePaths } from "../home.ts";
import type { GvmNode } from "../node/node.ts";
import { startDetachedChild } from "./detach.ts";
import { nodeFiles, type NodePidFile, removeOwnPidFile } from "./node_files.ts";
import { complain, say } from "./output.ts";
import { SERVE_START_TIMEOUT_MS } from "../limits.ts";

const READY_PREFIX = "GVM node ready: ";

/**
 * `gvm --serve`: a node with no prompt, like `erl -noshell`: it serves peers until SIGTERM or
 * SIGINT, with its status lines on stderr. As the child of `gvm --detached` it logs to
 * `GHOST_HOME/nodes/NAME.log` instead and keeps a pid file beside it while it runs.
 */
export async function serveNode(
  home: HomePaths,
  node: GvmNode,
  detachedChild: boolean,
  onNotify: (notify: (line: string) => void) => void,
): Promise<number> {
  const files = nodeFiles(home, node.name);
  let log: (line: string) => void = complain;
  let logFile: Deno.FsFile | undefined;
  if (detachedChild) {
    await Deno.mkdir(home.nodesDir, { recursive: true, mode: 0o700 });
    logFile = await Deno.open(files.log, { append: true, create: true, mode: 0o600 });
    const encoder = new TextEncoder();
    log = (line) => {
      try {
        logFile!.writeSync(encoder.encode(`${new Date().toISOString()} ${line}\n`));
      } catch {
        // A full disk must not take the node down.
      }
    };
    const pid: NodePidFile = { pid: Deno.pid, name: node.name, port: node.port };
    await Deno.writeTextFile(files.pid, JSON.stringify(pid) + "\n", { mode: 0o600 });
  }
  onNotify(log);
  log(`GVM has been created ${node.name} (${node.id})`);
  log(`Listening for nodes on port ${node.port}`);
  if (detachedChild) {
    say(`${READY_PREFIX}${node.name} ${node.port} ${Deno.pid}`);
    // The parent reads the line above and leaves; nothing may write to its pipes after.
    Deno.stdout.close();
    Deno.stderr.close();
  }
  const signal = await new Promise<string>((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
  log(`Stopping (${signal})`);
  if (detachedChild) removeOwnPidFile(files.pid);
  logFile?.close();
  return 0;
}

/**
 * `gvm --detached`: starts `gvm --serve` with the same flags in the background, waits until it
 * is ready, prints its name, pid and log, and returns (like `gvm gpmd start`).
 */
export async function startDetachedNode(home: HomePaths, argv: string[]): Promise<number> {
  const args = argv.filter((arg) => arg !== "--detached");
  const ready = await startDetachedChild(home, [...args, "--serve", "--detached-child"], {
    readyPrefix: READY_PREFIX,
    timeoutMs: SERVE_START_TIMEOUT_MS,
    what: "The node",
  });
  const [name, port, pid] = ready.split(" ");
  say(
    `Node ${name} started in the background (pid ${pid}, port ${port}); log in ${
      nodeFiles(home, name).log
    }`,
  );
  return 0;
}
