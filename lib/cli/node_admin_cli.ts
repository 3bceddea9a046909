import { GvmError } from "../errors.ts";
import type { HomePaths } from "../home.ts";
import { nodeFiles, type NodePidFile } from "./node_files.ts";
import { say } from "./output.ts";
import { NODE_STOP_TIMEOUT_MS } from "../limits.ts";

/** `gvm node list`: the headless nodes started from this `GHOST_HOME` that still run. */
export async function nodeList(home: HomePaths): Promise<number> {
  const nodes = await runningNodes(home);
  if (nodes.length === 0) {
    say("No headless nodes running from this GHOST_HOME. Start one with: gvm --detached");
    return 0;
  }
  const width = Math.max(4, ...nodes.map((n) => n.name.length)) + 2;
  say(`${"NAME".padEnd(width)}${"PID".padEnd(9)}PORT`);
  for (const n of nodes) say(`${n.name.padEnd(width)}${String(n.pid).padEnd(9)}${n.port}`);
  return 0;
}

/** `gvm node stop NAME`: SIGTERM to that headless node; returns once it has exited. */
export async function nodeStop(home: HomePaths, name: string): Promise<number> {
  const node = (await runningNodes(home)).find((n) => n.name === name);
  if (!node) {
    throw new GvmError(
      "NODE_NOT_FOUND",
      `No headless node named ${name} runs from ${home.root} (gvm node list shows those that do)`,
    );
  }
  Deno.kill(node.pid, "SIGTERM");
  // The node removes its own pid file as it exits: that is the event to wait for.
  const deadline = Date.now() + NODE_STOP_TIMEOUT_MS;
  while (await exists(nodeFiles(home, name).pid) && await isAlive(node.pid)) {
    if (Date.now() > deadline) {
      throw new GvmError("TIMEOUT", `${name} (pid ${node.pid}) did not stop within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  say(`Stopped ${name} (pid ${node.pid})`);
  return 0;
}

/** Pid files of live nodes; stale ones (the node was killed) are removed on the way. */
async function runningNodes(home: HomePaths): Promise<NodePidFile[]> {
  const found: NodePidFile[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(home.nodesDir));
  } catch {
    return found; // No headless node ever started from this home.
  }
  for (const entry of entries.filter((e) => e.isFile && e.name.endsWith(".pid"))) {
    const path = `${home.nodesDir}/${entry.name}`;
    try {
      const file = JSON.parse(await Deno.readTextFile(path)) as NodePidFile;
      if (await isHeadlessNode(file.pid)) found.push(file);
      else await Deno.remove(path);
    } catch {
      // Being written or removed right now: skip it.
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

// `ps -p` works wherever there is a process table, /proc or not; no signal is sent.
async function isAlive(pid: number): Promise<boolean> {
  return (await ps(pid, "pid")) === String(pid);
}

// A stale pid file's pid may belong to another process by now (after a reboot, say): only a
// process started by `gvm --detached` counts, so `gvm node stop` never signals a stranger.
async function isHeadlessNode(pid: number): Promise<boolean> {
  const args = (await ps(pid, "args"))?.split(/\s+/) ?? [];
  return args.includes("--serve") && args.includes("--detached-child");
}

// One column of `ps -p PID`, trimmed; undefined when there is no such process.
async function ps(pid: number, column: string): Promise<string | undefined> {
  const out = await new Deno.Command("ps", {
    args: ["-p", String(pid), "-o", `${column}=`],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
