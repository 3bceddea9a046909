/** Permissions `gvm` runs with from source (the same set `deno task gvm` grants). */
export const RUN_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
];

/**
 * The command that starts this same program again: the compiled `gvm` binary itself, or
 * `deno run` of the main module when running from source.
 *
 * @example
 * ```ts
 * const [cmd, ...args] = selfCommand(["gpmd", "start", "--foreground"]);
 * ```
 */
export function selfCommand(args: string[]): string[] {
  const exe = Deno.execPath();
  const base = exe.split(/[\\/]/).pop() ?? "";
  if (/^deno(\.exe)?$/.test(base)) {
    return [exe, "run", ...RUN_PERMISSIONS, Deno.mainModule, ...args];
  }
  return [exe, ...args];
}
