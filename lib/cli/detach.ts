import { GvmError, isErrorCode } from "../errors.ts";
import type { HomePaths } from "../home.ts";
import { START_FAILURE_READ_MS } from "../limits.ts";
import { selfCommand } from "./self_command.ts";

/**
 * Starts this same program again with `args` as a detached child, waits up to `timeoutMs` for
 * its ready line (one that starts with `readyPrefix`), lets it go and returns the rest of that
 * line. A child that does not get ready is killed; its own `error: CODE: message` line is thrown
 * as it was, anything else as `IO_ERROR` "`what` did not start".
 */
export async function startDetachedChild(
  home: HomePaths,
  args: string[],
  options: { readyPrefix: string; timeoutMs: number; what: string },
): Promise<string> {
  const [cmd, ...rest] = selfCommand(args);
  const child = new Deno.Command(cmd, {
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
    env: { GHOST_HOME: home.root },
  }).spawn();
  const ready = await readFirstLine(child.stdout, options.timeoutMs);
  if (!ready?.startsWith(options.readyPrefix)) {
    const why = (await readFirstLine(child.stderr, START_FAILURE_READ_MS)) ?? "no output";
    try {
      child.kill();
    } catch {
      // It already exited.
    }
    // The child's own error line, passed on as it was.
    const [, code, message] = /^error: ([A-Z_]+): (.*)$/.exec(why) ?? [];
    if (isErrorCode(code)) throw new GvmError(code, message);
    throw new GvmError("IO_ERROR", `${options.what} did not start: ${why}`);
  }
  child.stderr.cancel();
  child.unref();
  return ready.slice(options.readyPrefix.length);
}

/** The first line `stream` prints within `timeoutMs`, if any. */
export async function readFirstLine(
  stream: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<string | undefined> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch {
    // Cancelled by the timer.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const line = text.split("\n")[0].trim();
  return line.length > 0 ? line : undefined;
}
