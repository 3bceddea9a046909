// A real terminal for tests: tmux on a private server (`-L`), so the user's own tmux sessions
// are never touched; screens are polled against a deadline (a screen has no event to wait on).
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** This test run's private tmux server. */
const SOCKET = `gvm-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;

/** Runs a tmux command on the private server; resolves with its stdout. */
export async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", SOCKET, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Quotes `parts` for the shell tmux runs a command with. */
export function shellCommand(parts: string[]): string {
  return parts.map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** One tmux session (a 150×40 window) running `command`. */
export class TmuxSession implements AsyncDisposable {
  constructor(readonly session: string) {}

  /** Starts `command` (a shell command line) in a new session. */
  static async open(command: string): Promise<TmuxSession> {
    const session = `gvm-test-${crypto.randomUUID().slice(0, 8)}`;
    await tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "40", command);
    return new TmuxSession(session);
  }

  /**
   * Starts gvm from source with `flags` straight in a new session (no shell), with
   * `GHOST_HOME=home` and `NO_COLOR=1`; the window stays 30 s after it exits.
   */
  static gvm(home: string, flags: string[]): Promise<TmuxSession> {
    const command = shellCommand([
      "env",
      `GHOST_HOME=${home}`,
      "NO_COLOR=1",
      Deno.execPath(),
      "run",
      ...RUN_PERMISSIONS,
      MAIN,
      ...flags,
    ]);
    return TmuxSession.open(`${command}; sleep 30`);
  }

  /** What the window shows now. */
  screen(): Promise<string> {
    return tmux("capture-pane", "-p", "-t", this.session);
  }

  /** Types `keys` (tmux key names, or literal text). */
  keys(...keys: string[]): Promise<string> {
    return tmux("send-keys", "-t", this.session, ...keys);
  }

  /** Pastes `text` in one go, as a terminal does when the user pastes. */
  async paste(text: string): Promise<void> {
    const buffer = `paste-${crypto.randomUUID().slice(0, 8)}`;
    await tmux("set-buffer", "-b", buffer, text);
    await tmux("paste-buffer", "-d", "-b", buffer, "-t", this.session);
  }

  /** Resolves with the screen once `pattern` matches it; fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`Screen never matched ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await tmux("kill-session", "-t", this.session).catch(() => {});
  }
}
