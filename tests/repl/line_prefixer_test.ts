import assert from "node:assert/strict";
import type { Output } from "../../lib/repl/output.ts";
import { LinePrefixer } from "../../lib/repl/line_prefixer.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** An Output that records each stream write as [fd, text, mayDrop]. */
function recorder() {
  const writes: [number, string, boolean | undefined][] = [];
  const out: Output = {
    line: () => {},
    error: () => {},
    stream: (fd, data, mayDrop) => void writes.push([fd, new TextDecoder().decode(data), mayDrop]),
  };
  return { out, writes };
}

Deno.test("`LinePrefixer` prints whole lines, each with its prefix, as droppable output", () => {
  const { out, writes } = recorder();
  const lines = new LinePrefixer(out, "node-1: ");
  lines.write(1, encode("one\ntw"));
  lines.write(1, encode("o\nthree"));
  assert.deepEqual(writes, [[1, "node-1: one\n", true], [1, "node-1: two\n", true]]);
  lines.flush();
  assert.deepEqual(writes.at(-1), [1, "node-1: three\n", true]);
  lines.flush(); // Nothing left.
  assert.equal(writes.length, 3);
});

Deno.test("`LinePrefixer` keeps stdout and stderr lines apart", () => {
  const { out, writes } = recorder();
  const lines = new LinePrefixer(out, "n: ");
  lines.write(1, encode("out-"));
  lines.write(2, encode("err\n"));
  lines.write(1, encode("line\n"));
  assert.deepEqual(writes.map(([fd, text]) => [fd, text]), [[2, "n: err\n"], [1, "n: out-line\n"]]);
});

Deno.test("`LinePrefixer` says whether anything came, ignoring empty chunks", () => {
  const { out, writes } = recorder();
  const lines = new LinePrefixer(out, "n: ");
  lines.write(1, new Uint8Array());
  assert.equal(lines.wrote, false);
  lines.write(1, encode("x"));
  assert.equal(lines.wrote, true);
  assert.equal(writes.length, 0);
});

Deno.test("`LinePrefixer` prints a line with no newline once it passes 64 KiB", () => {
  const { out, writes } = recorder();
  const lines = new LinePrefixer(out, "n: ");
  lines.write(1, new Uint8Array(64 * 1024).fill(120));
  assert.equal(writes.length, 0);
  lines.write(1, encode("y"));
  assert.equal(writes.length, 1);
  assert.equal(writes[0][1].length, "n: ".length + 64 * 1024 + 1 + 1);
  assert.ok(writes[0][1].endsWith("y\n"));
});
