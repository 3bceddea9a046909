import type { HomePaths } from "../home.ts";

/** What a headless node writes in its pid file (`GHOST_HOME/nodes/NAME.pid`). */
export interface NodePidFile {
  pid: number;
  name: string;
  port: number;
}

/**
 * The pid file and log of headless node `name` in `home`.
 *
 * @example
 * ```ts
 * nodeFiles(homePaths(), "node-1234").log; // ".../nodes/node-1234.log"
 * ```
 */
export function nodeFiles(home: HomePaths, name: string): { pid: string; log: string } {
  return { pid: `${home.nodesDir}/${name}.pid`, log: `${home.nodesDir}/${name}.log` };
}

/**
 * Removes the pid file at `path` if it is still this process's: another GPMD or node sharing
 * the home (another port, or a node of the same name) may have written its own there since.
 *
 * @example
 * ```ts
 * removeOwnPidFile(nodeFiles(homePaths(), "node-1234").pid);
 * ```
 */
export function removeOwnPidFile(path: string): void {
  try {
    if (JSON.parse(Deno.readTextFileSync(path)).pid === Deno.pid) Deno.removeSync(path);
  } catch {
    // Already gone, or not ours.
  }
}
