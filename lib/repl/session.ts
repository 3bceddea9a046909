import process from "node:process";
import { terminalColumns } from "./map_progress.ts";
import { createInterface, type Interface } from "node:readline";
import type { GvmNode } from "../node/node.ts";
import { completeLine, CompletionSnapshot } from "./completer.ts";
import { Evaluator, type Output } from "./evaluator.ts";
import { watchFolder } from "./folder_watch.ts";
import { loadHistory, saveHistoryLine } from "./history.ts";

/** Options for {@linkcode runSession}. */
export interface SessionOptions {
  node: GvmNode;
  /** `-c` commands; when given, they run in order and the session ends. */
  commands?: string[];
  /** Where the prompt keeps history across runs (interactive mode only). */
  historyFile: string;
  /** Receives status lines raised while the session runs (GPMD gone, peer left). */
  onNotify?: (notify: (line: string) => void) => void;
}

const encoder = new TextEncoder();

const plainOutput: Output = {
  line: (text) => writeAll(Deno.stdout, text + "\n"),
  error: (text) => writeAll(Deno.stderr, text + "\n"),
  stream: (fd, data) => writeAll(fd === 1 ? Deno.stdout : Deno.stderr, data),
};

function writeAll(target: typeof Deno.stdout, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  let written = 0;
  try {
    while (written < bytes.length) written += target.writeSync(bytes.subarray(written));
  } catch (error) {
    // Whoever read our output has gone (`gvm ... | head`): drop the rest, as other tools do.
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

/**
 * Runs the node's input: `-c` commands, piped lines (no prompt), or the interactive prompt with
 * history and Tab completion. Resolves with the exit status: 1 if any command failed.
 *
 * @example
 * ```ts
 * const status = await runSession({ node, commands: ["math.add(1,2)"], historyFile });
 * ```
 */
export async function runSession(options: SessionOptions): Promise<number> {
  if (options.commands && options.commands.length > 0) {
    options.onNotify?.((line) => plainOutput.error(line));
    return await runLines(new Evaluator(options.node, plainOutput), options.commands);
  }
  if (!Deno.stdin.isTerminal()) {
    options.onNotify?.((line) => plainOutput.error(line));
    const rl = createInterface({ input: process.stdin, terminal: false });
    return await runLines(new Evaluator(options.node, plainOutput), rl);
  }
  return await runPrompt(options);
}

async function runLines(
  evaluator: Evaluator,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  let status = 0;
  for await (const line of lines) {
    const outcome = await evaluator.evaluate(line);
    // The exit status is that of the last failing command (a program's own code, else 1).
    if (outcome === "failed") status = evaluator.failureStatus;
    if (outcome === "exit") break;
  }
  return status;
}

async function runPrompt(options: SessionOptions): Promise<number> {
  const { node } = options;
  const completions = new CompletionSnapshot(node);
  // Names for the first Tab, but a slow GPMD must not hold up the prompt.
  await Promise.race([completions.refresh(), new Promise((resolve) => setTimeout(resolve, 300))]);
  using _watch = watchFolder(node.runtime.catalog.modulesDir, () => completions.refresh());
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    prompt: `(${node.name}) > `,
    history: await loadHistory(options.historyFile),
    historySize: 1000,
    completer: (line: string) => completeLine(completions, line),
  });
  // Node.map's progress line only where someone watches it redraw in place.
  const output = Deno.stdout.isTerminal()
    ? { ...plainOutput, columns: terminalColumns }
    : plainOutput;
  const evaluator = new Evaluator(node, output);
  options.onNotify?.((line) => {
    // Keep the half-typed line: print the notice above it, then redraw the prompt.
    process.stdout.write(`\r\x1b[K${line}\n`);
    if (!evaluator.busy) rl.prompt(true);
  });
  rl.on("SIGINT", () => {
    if (evaluator.interrupt()) {
      process.stdout.write("^C\n");
      return;
    }
    if (rl.line.length > 0) {
      process.stdout.write("^C\n");
    } else {
      process.stdout.write("\n(To exit, type exit or press Ctrl-D)\n");
    }
    rl.write(null, { ctrl: true, name: "u" });
    rl.prompt();
  });
  let status = 0;
  let exited = false;
  rl.prompt();
  for await (const line of rl) {
    if (line.trim().length > 0) await saveHistoryLine(options.historyFile, line);
    const outcome = await evaluator.evaluate(line);
    if (outcome === "failed") status = evaluator.failureStatus;
    if (outcome === "exit") {
      exited = true;
      break;
    }
    rl.prompt();
    completions.refresh();
  }
  if (!exited) plainOutput.line("\nGoodbye :(");
  rl.close();
  return status;
}
