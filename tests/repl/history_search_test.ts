import assert from "node:assert/strict";
import { HistorySearch } from "../../lib/repl/history_search.ts";

function searchOver(history: string[]) {
  const screen: string[] = [];
  let redraws = 0;
  const search = new HistorySearch({
    history: () => history,
    write: (text) => screen.push(text),
    redraw: () => redraws++,
  });
  return { search, screen, redraws: () => redraws };
}

Deno.test("HistorySearch finds the newest match, then older ones, and runs it on Enter", () => {
  const { search, screen } = searchOver(["math.add(1,2)", "math.mul(6,7)", "math.mul(2,2)"]);
  assert.equal(search.filter("ab"), "ab", "keys pass until Ctrl-R");
  assert.equal(search.filter("\x12mu"), "");
  assert.equal(screen.at(-1), "\r\x1b[K(reverse-i-search)'mu': math.mul(6,7)");
  assert.equal(search.filter("\x12"), "");
  assert.equal(screen.at(-1), "\r\x1b[K(reverse-i-search)'mu': math.mul(2,2)");
  assert.equal(search.filter("\r"), "\x15math.mul(2,2)\r");
  assert.equal(search.active, false);
});

Deno.test("HistorySearch: Esc edits the match, Ctrl-G gives up, no match says failing", () => {
  const { search, screen, redraws } = searchOver(["math.add(1,2)"]);
  assert.equal(search.filter("\x12add\x1b"), "\x15math.add(1,2)");
  assert.equal(search.filter("\x12add\x1b[D"), "\x15math.add(1,2)\x1b[D", "an arrow key goes on");
  assert.equal(search.filter("\x12zz"), "");
  assert.match(screen.at(-1)!, /failing reverse-i-search\)'zz'/);
  assert.equal(search.filter("\x07"), "");
  assert.equal(redraws(), 1);
  assert.equal(search.active, false);
});
