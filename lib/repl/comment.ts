/**
 * Drops a `#` comment from a prompt line: a whole-line `# note` or a trailing `math # note`. A
 * `#` inside a double-quoted string is text, not a comment. Scripts piped into `gvm` can then
 * explain themselves, as shell and Erlang scripts do.
 *
 * @example
 * ```ts
 * stripComment('math.add(1,2)  # three'); // "math.add(1,2)  "
 * stripComment('greet("#1")'); // 'greet("#1")'
 * ```
 */
export function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString && ch === "\\") {
      i++; // The escaped character, whatever it is, stays in the string.
    } else if (ch === '"') {
      inString = !inString;
    } else if (ch === "#" && !inString) {
      return line.slice(0, i);
    }
  }
  return line;
}
