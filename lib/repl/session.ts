import process from "node:process";
import { terminalColumns } from "./map_progress.ts";
import { createInterface, type Interface } from "node:readline";
import type { GvmNode } from "../node/node.ts";
import { completeLine, CompletionSnapshot } from "./completer.ts";
import { Evaluator } from "./evaluator.ts";
import type { Output } from "./output.ts";
import { watchFolder } from "./folder_watch.ts";
import { loadHistory, saveHistoryLine } from "./history.ts";
import { AsyncOutput } from "./async_output.ts";
import { handleTerminalSignals, setRaw } from "./terminal_signals.ts";
import { HistorySearch } from "./history_search.ts";
import { LineGate } from "./line_gate.ts";
import { HISTORY_LIMIT } from "../limits.ts";

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

// Never written synchronously: a reader that stops reading must not stop the node (see
// AsyncOutput). Result and error lines are small and always kept; module output waits.
const stdout = new AsyncOutput(Deno.stdout);
const stderr = new AsyncOutput(Deno.stderr);

const plainOutput: Output = {
  line: (text) => {
    reportDropped();
    stdout.write(encoder.encode(text + "\n"));
  },
  error: (text) => {
    // Once stdout's reader has gone, a script ends quietly (see runLines), as `yes | head` does.
    if (stdout.broken) return;
    stderr.write(encoder.encode(text + "\n"));
  },
  stream: (fd, data, mayDrop) => {
    const target = fd === 1 ? stdout : stderr;
    if (!mayDrop) return target.write(data);
    target.offer(data);
    return undefined;
  },
};

// Output that could not wait (a peer's, arriving from the network) and found the queue full.
function reportDropped(): void {
  const dropped = stdout.dropped + stderr.dropped;
  if (dropped === 0) return;
  stdout.dropped = stderr.dropped = 0;
  stderr.write(
    encoder.encode(`(${dropped} bytes of output dropped: the terminal was not reading)\n`),
  );
}

/** Waits until everything printed so far is out (before a prompt, and before exiting). */
async function drained(): Promise<void> {
  reportDropped();
  // stdout first: an error line held back behind stdout (see runPrompt) is queued on stderr
  // before stderr is waited for.
  await stdout.flush();
  await stderr.flush();
}

/**
 * Runs the node's input: `-c` commands, piped lines (no prompt), or the interactive prompt with
 * history and Tab completion. Resolves with the exit status: that of the last failing command
 * (a program's own exit code, else 1), 0 if none failed.
 *
 * @example
 * ```ts
 * const status = await runSession({ node, commands: ["math.add(1,2)"], historyFile });
 * ```
 */
export async function runSession(options: SessionOptions): Promise<number> {
  try {
    // `-c` commands, else piped lines: no prompt.
    const commands = options.commands && options.commands.length > 0 ? options.commands : undefined;
    if (commands || !Deno.stdin.isTerminal()) {
      options.onNotify?.((line) => plainOutput.error(line));
      using _signals = exitOnSignals(options.node);
      const lines = commands ?? createInterface({ input: process.stdin, terminal: false });
      return await runLines(new Evaluator(options.node, plainOutput), lines);
    }
    return await runPrompt(options);
  } finally {
    await drained();
  }
}

/**
 * `-c` and piped input: SIGINT and SIGTERM end gvm as they would by default (status 130, 143),
 * but first kill the sandboxes running its calls, which would otherwise spin on until their
 * watchdog sees the node gone.
 */
function exitOnSignals(node: GvmNode): Disposable {
  const removers = ([["SIGINT", 130], ["SIGTERM", 143]] as const).map(([signal, status]) => {
    const listener = () => {
      node.close();
      Deno.exit(status);
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  return {
    [Symbol.dispose]() {
      for (const remove of removers) remove();
    },
  };
}

async function runLines(
  evaluator: Evaluator,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  let status = 0;
  // `gvm -c ... | head`: once the reader has gone, nobody sees what the running call or the
  // commands after it print; stop them and exit as a shell reports SIGPIPE (128 + 13).
  stdout.onBroken = () => evaluator.interrupt();
  try {
    for await (const line of lines) {
      if (stdout.broken) break;
      const outcome = await evaluator.evaluate(line);
      if (stdout.broken) break;
      // The exit status is that of the last failing command (a program's own code, else 1).
      if (outcome === "failed") status = evaluator.failureStatus;
      if (outcome === "exit") break;
    }
  } finally {
    stdout.onBroken = undefined;
  }
  return stdout.broken ? 141 : status;
}

async function runPrompt(options: SessionOptions): Promise<number> {
  const { node } = options;
  const completions = new CompletionSnapshot(node);
  // Names for the first Tab, but a slow GPMD must not hold up the prompt.
  await Promise.race([completions.refresh(), new Promise((resolve) => setTimeout(resolve, 300))]);
  using _watch = watchFolder(node.modulesDir, () => completions.refresh());
  // One line at a time: pasted lines each print their output under their own prompt.
  const gate = new LineGate(process.stdin);
  const rl: Interface = createInterface({
    input: gate,
    output: process.stdout,
    terminal: true,
    prompt: `(${node.name}) > `,
    history: await loadHistory(options.historyFile),
    historySize: HISTORY_LIMIT,
    // Asynchronous: a Tab waits (briefly) for the names being refreshed after the last command.
    completer: (line: string, done: (error: null, result: [string[], string]) => void) => {
      completions.settled().then(() => done(null, completeLine(completions, line)));
    },
  });
  // Node.map's progress line only where someone watches it redraw in place.
  const output: Output = {
    ...plainOutput,
    // One terminal, two queues: an error line waits for what stdout still has queued, so Ctrl-C
    // on Node.map reads progress line erased, "^C", then the error, never the error first.
    error: (text) => {
      if (stdout.queued === 0) plainOutput.error(text);
      else stdout.flush().then(() => plainOutput.error(text));
    },
    ...(Deno.stdout.isTerminal() ? { columns: terminalColumns } : {}),
  };
  const evaluator = new Evaluator(node, output);
  const search = new HistorySearch({
    history: () => (rl as unknown as { history: string[] }).history,
    write: (text) => process.stdout.write(text),
    redraw: () => rl.prompt(true),
  });
  gate.keyFilter = (keys) => search.filter(keys);
  options.onNotify?.((line) => {
    // Keep the half-typed line: print the notice above it, then redraw the prompt. Queued, not
    // written at once: a notice (a peer connected) must not block on a terminal nobody reads.
    stdout.write(encoder.encode(`\r\x1b[K${line}\n`));
    drained().then(() => {
      if (!evaluator.busy) rl.prompt(true);
    });
  });
  rl.on("SIGINT", () => {
    if (evaluator.interrupt()) {
      // Queued behind whatever the command still has queued, Node.map's progress line erased at
      // the abort among it: written at once, "^C" landed first and the erase then cleared the
      // empty line below it, leaving the progress line on screen.
      stdout.write(encoder.encode("^C\n"));
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
  let signalled: "SIGTERM" | "SIGHUP" | undefined;
  using _signals = handleTerminalSignals({
    rl,
    redraw: () => {
      if (!evaluator.busy) rl.prompt(true);
    },
    terminate: (signal) => {
      // The shell's prompt goes on a line of its own, not after a half-typed command.
      if (!signalled) process.stdout.write("\n");
      signalled = signal;
      evaluator.interrupt();
      rl.close();
    },
  });
  let status = 0;
  let exited = false;
  rl.prompt();
  for await (const line of rl) {
    if (signalled) break;
    if (line.trim().length > 0) await saveHistoryLine(options.historyFile, line);
    const outcome = await evaluator.evaluate(line);
    // SIGTERM/SIGHUP cancelled the call and closed the prompt: no prompt to draw again.
    if (signalled) break;
    if (outcome === "failed") status = evaluator.failureStatus;
    if (outcome === "exit") {
      exited = true;
      break;
    }
    // The prompt goes after the command's output, not in the middle of what is still queued.
    await drained();
    rl.prompt();
    gate.release();
    completions.refresh();
  }
  if (signalled) {
    rl.close();
    setRaw(false);
    // As a shell reports it: 128 + the signal number.
    return signalled === "SIGTERM" ? 143 : 129;
  }
  if (!exited) plainOutput.line("\nGoodbye :(");
  rl.close();
  return status;
}
