import process from "node:process";
import type { Interface } from "node:readline";

/** What {@linkcode handleTerminalSignals} needs from the prompt. */
export interface TerminalPrompt {
  rl: Interface;
  /** Redraws the prompt and the half-typed line (not while a command runs). */
  redraw(): void;
  /** Ends the session on SIGTERM/SIGHUP: the terminal is restored first. */
  terminate(signal: "SIGTERM" | "SIGHUP"): void;
}

/**
 * Job control and signals for the raw-mode prompt, as a shell user expects them:
 *
 * - Ctrl-Z stops the whole process group, so under `deno task gvm` the task runner stops
 *   with the node and the shell gets its terminal back (node:readline stopped only this
 *   process, and left its input paused for good after `fg`).
 * - On SIGCONT, however the stop came (Ctrl-Z, `kill -STOP`), raw mode is set again: the shell
 *   hands back a cooked terminal, which echoed every line twice and turned Ctrl-C on an empty
 *   line into a SIGINT that killed the node.
 * - SIGTERM and SIGHUP put the terminal back in cooked mode before the process ends.
 *
 * @example
 * ```ts
 * using _signals = handleTerminalSignals({ rl, redraw: () => rl.prompt(true), terminate });
 * ```
 */
export function handleTerminalSignals(prompt: TerminalPrompt): Disposable {
  const { rl } = prompt;
  const onStop = () => {
    setRaw(false);
    // Signal 0 = this process group: the task runner (and our sandboxes) stop with us. SIGSTOP,
    // not SIGTSTP: `deno task` catches SIGTSTP to pass it on, so it would stay running and keep
    // the terminal from the shell.
    Deno.kill(0, "SIGSTOP");
  };
  const onContinue = () => {
    // Off, then on: raw mode is made from the modes the shell hands over now (and those are
    // what exit restores), not from the ones saved when the prompt first started.
    setRaw(false);
    setRaw(true);
    rl.resume();
    prompt.redraw();
  };
  const onTerm = () => {
    setRaw(false);
    prompt.terminate("SIGTERM");
  };
  const onHup = () => {
    setRaw(false);
    prompt.terminate("SIGHUP");
  };
  rl.on("SIGTSTP", onStop);
  Deno.addSignalListener("SIGCONT", onContinue);
  Deno.addSignalListener("SIGTERM", onTerm);
  Deno.addSignalListener("SIGHUP", onHup);
  return {
    [Symbol.dispose]() {
      rl.off("SIGTSTP", onStop);
      Deno.removeSignalListener("SIGCONT", onContinue);
      Deno.removeSignalListener("SIGTERM", onTerm);
      Deno.removeSignalListener("SIGHUP", onHup);
    },
  };
}

/** Raw mode on or off; a terminal that has gone away (SIGHUP) is left alone. */
export function setRaw(on: boolean): void {
  try {
    process.stdin.setRawMode?.(on);
  } catch {
    // No terminal any more.
  }
}
