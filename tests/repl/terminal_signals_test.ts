import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Interface } from "node:readline";
import { handleTerminalSignals, setRaw } from "../../lib/repl/terminal_signals.ts";

Deno.test("`handleTerminalSignals()` resumes and redraws the prompt on SIGCONT, until disposed", async () => {
  const rl = Object.assign(new EventEmitter(), { resumed: 0, resume: () => rl.resumed++ });
  let redrawn!: () => void;
  const redraw = new Promise<void>((resolve) => redrawn = resolve);
  const terminated: string[] = [];
  {
    using _signals = handleTerminalSignals({
      rl: rl as unknown as Interface,
      redraw: () => redrawn(),
      terminate: (signal) => terminated.push(signal),
    });
    assert.equal(rl.listenerCount("SIGTSTP"), 1);
    // SIGCONT to a running process changes nothing but our handler: safe to send to ourselves.
    // Signal listeners do not hold the event loop open: a timer does, until the signal comes.
    const keepAlive = setTimeout(() => {}, 10_000);
    Deno.kill(Deno.pid, "SIGCONT");
    await redraw.finally(() => clearTimeout(keepAlive));
    assert.equal(rl.resumed, 1);
  }
  assert.equal(rl.listenerCount("SIGTSTP"), 0, "the Ctrl-Z handler goes with the prompt");
  assert.deepEqual(terminated, []);
});

Deno.test("`setRaw()` without a terminal does nothing and does not throw", () => {
  setRaw(true);
  setRaw(false);
});
