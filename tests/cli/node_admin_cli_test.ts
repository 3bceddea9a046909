import assert from "node:assert/strict";
import { nodeList, nodeStop } from "../../lib/cli/node_admin_cli.ts";
import { nodeFiles } from "../../lib/cli/node_files.ts";
import { homePaths } from "../../lib/home.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { captureOutput } from "./_capture.ts";

async function withHome(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gvm-node-admin-test-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * A process standing in for a headless node: it waits until killed, and its command line carries
 * the flags of a `gvm --detached` child (only such a process is taken for a node).
 */
function standIn(): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "setTimeout(() => {}, 60_000)", "--serve", "--detached-child"],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** A pid that no live process has: that of a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("`gvm node list` with no headless nodes says how to start one", () =>
  withHome(async (root) => {
    const listed = await captureOutput(() => nodeList(homePaths(root)));
    assert.equal(listed.value, 0);
    assert.match(
      listed.stdout,
      /^No headless nodes running from this GHOST_HOME\. Start one with: gvm --detached\n$/,
    );
  }));

Deno.test("`gvm node list` shows live nodes sorted, and removes the pid files of dead ones", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.mkdir(home.nodesDir);
    const child = standIn();
    try {
      const dead = await deadPid();
      await Deno.writeTextFile(
        nodeFiles(home, "node-b").pid,
        JSON.stringify({ pid: child.pid, name: "node-b", port: 4001 }),
      );
      await Deno.writeTextFile(
        nodeFiles(home, "a-long-name").pid,
        JSON.stringify({ pid: child.pid, name: "a-long-name", port: 4002 }),
      );
      await Deno.writeTextFile(
        nodeFiles(home, "node-dead").pid,
        JSON.stringify({ pid: dead, name: "node-dead", port: 4003 }),
      );
      await Deno.writeTextFile(`${home.nodesDir}/broken.pid`, "{");
      const listed = await captureOutput(() => nodeList(home));
      assert.equal(
        listed.stdout,
        [
          "NAME         PID      PORT",
          `a-long-name  ${String(child.pid).padEnd(9)}4002`,
          `node-b       ${String(child.pid).padEnd(9)}4001`,
          "",
        ].join("\n"),
      );
      assert.equal(
        await Deno.stat(nodeFiles(home, "node-dead").pid).then(() => true, () => false),
        false,
      );
    } finally {
      child.kill();
      await child.status;
    }
  }));

Deno.test("`gvm node stop` sends SIGTERM and returns once the node has exited", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.mkdir(home.nodesDir);
    const child = standIn();
    const exited = child.status; // Reaped as soon as it exits, so `ps` stops listing it.
    await Deno.writeTextFile(
      nodeFiles(home, "node-s").pid,
      JSON.stringify({ pid: child.pid, name: "node-s", port: 4010 }),
    );
    const stopped = await captureOutput(() => nodeStop(home, "node-s"));
    assert.equal(stopped.stdout, `Stopped node-s (pid ${child.pid})\n`);
    assert.equal((await exited).signal, "SIGTERM");
    await assertRejectsGvmError(nodeStop(home, "node-s"), "NODE_NOT_FOUND", "gvm node list");
  }));

Deno.test("`gvm node stop` of a name with no pid file fails with NODE_NOT_FOUND", () =>
  withHome(async (root) => {
    await assertRejectsGvmError(
      nodeStop(homePaths(root), "node-x"),
      "NODE_NOT_FOUND",
      `No headless node named node-x runs from ${root}`,
    );
  }));
