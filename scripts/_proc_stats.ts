// What a process holds, read from /proc (Linux): resident memory and open file descriptors.
// Deno asks for --allow-all to read /proc directly, so the reading is done by `cat` and `ls`,
// which --allow-run covers.

/** One reading of a process. */
export interface ProcStats {
  /** Resident memory in KiB. */
  rssKiB: number;
  /** Open file descriptors (sockets, pipes, files). */
  fds: number;
}

async function run(command: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
  return text;
}

/**
 * Reads `pid`'s resident memory and open descriptors.
 *
 * @example
 * ```ts
 * const { rssKiB, fds } = await procStats(Deno.pid);
 * ```
 */
export async function procStats(pid: number): Promise<ProcStats> {
  const status = await run("cat", [`/proc/${pid}/status`]);
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  const fds = (await run("ls", [`/proc/${pid}/fd`])).split("\n").filter((l) => l !== "").length;
  return { rssKiB, fds };
}

/** Growth from `before` to `after` as a fraction (0.2 is 20%). */
export function growth(before: number, after: number): number {
  return before > 0 ? (after - before) / before : 0;
}
