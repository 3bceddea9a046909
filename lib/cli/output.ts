const encoder = new TextEncoder();

/** Writes a line to stdout, synchronously (so nothing is lost when the process exits). */
export function say(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}

/** Writes a line to stderr, synchronously. */
export function complain(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text + "\n"));
}

/** `3h 02m 05s` from milliseconds. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m ${String(s).padStart(2, "0")}s`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}
