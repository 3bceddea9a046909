// The cost of printing: a C program writing 200,000 lines, run by `gvm run` and by Node.js's
// node:wasi (the reference the target is set against), each a whole process, output to /dev/null.
import { RUN_PERMISSIONS } from "../lib/cli/self_command.ts";
import { summarize, type Summary } from "./stats.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Medians of both runs, or no reference when Node.js is missing. */
export interface PrintingFigures {
  gvm: Summary;
  node: Summary | null;
}

async function timed(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
  if (!out.success) throw new Error(`${command} ${args.join(" ")} failed (${out.code})`);
  return performance.now() - started;
}

async function haveNode(): Promise<boolean> {
  try {
    return (await new Deno.Command("node", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** Times `reps` runs of each. */
export async function benchPrinting(reps: number): Promise<PrintingFigures> {
  const wasm = `${BENCH_DIR}/lines.wasm`;
  const gvm: number[] = [];
  const node: number[] = [];
  const withNode = await haveNode();
  for (let i = 0; i < reps; i++) {
    gvm.push(await timed(Deno.execPath(), ["run", ...RUN_PERMISSIONS, MAIN, "run", wasm]));
    if (withNode) node.push(await timed("node", [`${BENCH_DIR}/node_wasi_run.mjs`, wasm]));
  }
  return { gvm: summarize(gvm), node: withNode ? summarize(node) : null };
}
