/**
 * Shows text that a module or a peer chose (export names, node names, error messages) without
 * letting it drive the terminal: control characters, DEL, C1 controls and the Unicode line and
 * bidi-override characters become visible escapes, so a name can neither forge a second output
 * line nor send an escape sequence (set the window title, move the cursor).
 *
 * @example
 * ```ts
 * escapeText("a\nerror: forged\x1b]0;x\x07"); // "a\\nerror: forged\\x1b]0;x\\x07"
 * ```
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (Object.hasOwn(NAMED, ch)) return NAMED[ch];
    const code = ch.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

// Backslashes stay: messages quote the prompt's own escapes (`\n`) and must read as typed.
// C0, DEL, C1, and U+2028/2029 (line breaks), U+200E/F and U+202A-202E, U+2066-2069 (bidi).
// deno-lint-ignore no-control-regex -- matching control characters is the point.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
