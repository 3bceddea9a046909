import assert from "node:assert/strict";
import { escapeText } from "../lib/escape.ts";
import { formatError, GvmError } from "../lib/errors.ts";

Deno.test("escapeText() makes control, line-break and bidi characters visible", () => {
  assert.equal(escapeText("a\nb\r\tc"), "a\\nb\\r\\tc");
  assert.equal(escapeText("\x1b]0;t\x07\x7f\x9b"), "\\x1b]0;t\\x07\\x7f\\x9b");
  assert.equal(escapeText("x\u2028y\u202ez"), "x\\u{2028}y\\u{202e}z");
  assert.equal(escapeText("plain é 😀 \\n"), "plain é 😀 \\n");
});

Deno.test("formatError() is always one line, whatever the message holds", () => {
  const line = formatError(new GvmError("TRAP", "boom\nerror: FORGED: x"));
  assert.equal(line, "error: TRAP: boom\\nerror: FORGED: x");
});
