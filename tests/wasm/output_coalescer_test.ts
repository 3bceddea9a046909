import assert from "node:assert/strict";
import { OUTPUT_COALESCE_BYTES } from "../../lib/limits.ts";
import { OutputCoalescer } from "../../lib/wasm/output_coalescer.ts";

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (s: string) => new TextEncoder().encode(s);

function recorder() {
  const sent: [1 | 2, string][] = [];
  const out = new OutputCoalescer((fd, data) => sent.push([fd, text(data)]));
  return { sent, out };
}

Deno.test("`OutputCoalescer` sends a write after a quiet spell at once", () => {
  const { sent, out } = recorder();
  out.write(1, bytes("working...\n"));
  assert.deepEqual(sent, [[1, "working...\n"]]);
});

Deno.test("`OutputCoalescer` gathers a burst of lines into one write, in order, at flush", () => {
  const { sent, out } = recorder();
  for (let i = 0; i < 100; i++) out.write(1, bytes(`line ${i}\n`));
  out.flush();
  const all = sent.map(([, s]) => s).join("");
  assert.equal(all, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(""));
  assert.ok(sent.length <= 3, `${sent.length} writes for 100 lines`);
});

Deno.test("`OutputCoalescer` keeps stdout and stderr in the order they were written", () => {
  const { sent, out } = recorder();
  out.write(1, bytes("a"));
  out.write(1, bytes("b"));
  out.write(2, bytes("c"));
  out.write(1, bytes("d"));
  out.flush();
  assert.deepEqual(sent, [[1, "a"], [1, "b"], [2, "c"], [1, "d"]]);
});

Deno.test("`OutputCoalescer` sends a full buffer, and a write larger than it whole", () => {
  const { sent, out } = recorder();
  out.write(1, bytes("x"));
  out.write(1, new Uint8Array(OUTPUT_COALESCE_BYTES - 1).fill(0x79));
  out.write(1, bytes("z"));
  out.write(1, new Uint8Array(OUTPUT_COALESCE_BYTES * 2).fill(0x77));
  out.flush();
  const lengths = sent.map(([, s]) => s.length);
  assert.deepEqual(lengths, [1, OUTPUT_COALESCE_BYTES, OUTPUT_COALESCE_BYTES * 2]);
});

Deno.test("`OutputCoalescer.flush()` with nothing pending sends nothing", () => {
  const { sent, out } = recorder();
  out.flush();
  assert.deepEqual(sent, []);
});
