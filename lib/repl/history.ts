import { HISTORY_LIMIT } from "../limits.ts";

/**
 * Reads prompt history, newest first (the order `node:readline` wants).
 *
 * @example
 * ```ts
 * const history = await loadHistory("/home/me/.ghost-network/history");
 * ```
 */
export async function loadHistory(file: string): Promise<string[]> {
  try {
    const lines = (await Deno.readTextFile(file)).split("\n").filter((l) => l.trim().length > 0);
    return lines.slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

/** Appends one line to the history file (private to the user). */
export async function saveHistoryLine(file: string, line: string): Promise<void> {
  try {
    await Deno.writeTextFile(file, line.replaceAll("\n", " ") + "\n", {
      append: true,
      mode: 0o600,
    });
  } catch {
    // History is a convenience: a read-only home must not stop the prompt.
  }
}
