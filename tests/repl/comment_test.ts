import assert from "node:assert/strict";
import { stripComment } from "../../lib/repl/comment.ts";

Deno.test("stripComment() drops whole-line and trailing comments, never inside strings", () => {
  assert.equal(stripComment("# a note"), "");
  assert.equal(stripComment("math.add(1,2) # three"), "math.add(1,2) ");
  assert.equal(stripComment('greet("#1") # hi'), 'greet("#1") ');
  assert.equal(stripComment('greet("a\\"#b")'), 'greet("a\\"#b")');
  assert.equal(stripComment("math"), "math");
});
