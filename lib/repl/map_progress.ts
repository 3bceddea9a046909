/**
 * The one-line progress bar of a `Node.map` batch at the terminal prompt.
 *
 * @module
 */

import type { MapProgress } from "../node/map.ts";

const BAR_WIDTH = 20;

/**
 * Renders `progress` as one line of at most `columns - 1` characters: a bar, done/total,
 * failures, calls per second, and each node's finished calls (those in flight after `+`).
 *
 * @example
 * ```ts
 * progressLine({ total: 11, done: 5, failed: 1, rerun: 0, elapsedMs: 2000, nodes: [
 *   { name: "node-1", capacity: 1, inFlight: 1, done: 3, alive: true },
 * ] }, 80);
 * // "[#########-----------] 5/11  1 failed  2.5/s  node-1 3+1"
 * ```
 */
export function progressLine(progress: MapProgress, columns: number): string {
  const { total, done, failed, rerun, elapsedMs } = progress;
  const filled = total === 0 ? BAR_WIDTH : Math.floor(done / total * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const parts = [
    `${bar} ${done}/${total}`,
    `${failed} failed`,
    ...(rerun > 0 ? [`${rerun} re-run`] : []),
    `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s`,
    ...progress.nodes.map((n) =>
      n.alive ? `${n.name} ${n.done}+${n.inFlight}` : `${n.name} ${n.done} (down)`
    ),
  ];
  const line = parts.join("  ");
  const room = Math.max(1, columns - 1);
  return line.length <= room ? line : `${line.slice(0, Math.max(0, room - 3))}...`;
}

/**
 * The width of the terminal on standard output, for {@linkcode progressLine}.
 *
 * @example
 * ```ts
 * const output = { ...plainOutput, columns: terminalColumns };
 * ```
 */
export function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80; // Resized away or detached: a safe width.
  }
}
