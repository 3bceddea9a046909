/**
 * `Node.map(...)` at the prompt: runs the batch and prints one line per item in input order,
 * with a progress line on a terminal while it runs.
 *
 * @module
 */

import { formatError } from "../errors.ts";
import type { MapProgress, MapResult } from "../node/map.ts";
import type { GvmNode } from "../node/node.ts";
import { formatResults } from "../wasm/values.ts";
import type { Outcome, Output } from "./output.ts";
import { progressLine } from "./map_progress.ts";
import { type Arg, argText, type MapTarget } from "./parser.ts";
import { MAP_PROGRESS_AFTER_MS, MAP_REDRAW_MS } from "../limits.ts";

const NEWLINE = 10;

/**
 * Runs a parsed `Node.map` and prints its results; "failed" if any call failed.
 *
 * @example
 * ```ts
 * await runMapCommand(node, { module: "hello", fn: "fib" }, items, output, signal);
 * ```
 */
export async function runMapCommand(
  node: GvmNode,
  target: MapTarget,
  items: Arg[][],
  out: Output,
  signal: AbortSignal,
): Promise<Outcome> {
  const bar = new ProgressDisplay(out);
  // At once, not when the batch unwinds: the prompt prints ^C right after aborting.
  const onAbort = () => bar.stop();
  signal.addEventListener("abort", onAbort, { once: true });
  const downNodes = new Set<string>();
  let failed = false;
  let rerun = 0;
  try {
    const results = node.map(target, items, {
      signal,
      onProgress: (progress) => bar.update(progress),
    });
    for await (const result of results) {
      bar.hide();
      await printResult(out, result, itemLabel(items[result.index]));
      bar.redraw();
      if (result.error) failed = true;
      rerun += result.rerunFrom.length;
      for (const name of result.rerunFrom) downNodes.add(name);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    bar.stop();
  }
  if (rerun > 0) {
    out.error(
      `note: ${rerun} call${rerun === 1 ? "" : "s"} re-run after ${
        [...downNodes].join(", ")
      } went down`,
    );
  }
  return failed ? "failed" : "ok";
}

/** `30: 832040`, `(1, 2): 3`, `3: error: TRAP: ...`, after whatever the call printed. */
async function printResult(out: Output, result: MapResult, label: string): Promise<void> {
  let last = NEWLINE;
  for (const { fd, data } of result.output) {
    // An output that asks to wait (a slow reader) is waited for: the rest of the batch queues.
    await out.stream(fd, data);
    last = data[data.length - 1];
  }
  if (last !== NEWLINE) await out.stream(1, new Uint8Array([NEWLINE]));
  if (result.outputTruncated) {
    out.error(`note: output of ${label} cut short (1 MiB per call, 64 MiB held per batch)`);
  }
  if (result.error) {
    out.line(`${label}: ${formatError(result.error)}`);
  } else {
    const values = result.result!.values;
    out.line(
      `${label}: ${values.length === 0 ? "ok" : formatResults(result.result!.types, values)}`,
    );
  }
}

/**
 * How an item is shown on its result line: a lone argument as typed, several as a tuple.
 *
 * @example
 * ```ts
 * itemLabel([{ type: "int", value: 30n, text: "30" }]); // "30"
 * ```
 */
export function itemLabel(args: readonly Arg[]): string {
  const shown = args.map(argText);
  return shown.length === 1 ? shown[0] : `(${shown.join(", ")})`;
}

const encoder = new TextEncoder();
// Back to column 1 and erase the line: the progress line is always redrawn in place.
const ERASE_LINE = "\r\x1b[K";

/** Draws the progress line once a batch has run a second, between result lines. */
class ProgressDisplay {
  readonly #out: Output;
  readonly #started = performance.now();
  #latest?: MapProgress;
  #shown = false;
  #timer?: ReturnType<typeof setInterval>;
  #delay?: ReturnType<typeof setTimeout>;

  constructor(out: Output) {
    this.#out = out;
    // Only a terminal reports its width; elsewhere a redrawn line would be noise in the output.
    if (!out.columns) return;
    this.#delay = setTimeout(() => {
      this.#shown = true;
      this.redraw();
      this.#timer = setInterval(() => this.redraw(), MAP_REDRAW_MS);
    }, MAP_PROGRESS_AFTER_MS);
  }

  update(progress: MapProgress): void {
    this.#latest = progress;
  }

  /** Takes the line away so a result line can take its place. */
  hide(): void {
    if (this.#shown) this.#out.stream(1, encoder.encode(ERASE_LINE));
  }

  redraw(): void {
    const columns = this.#out.columns;
    if (!this.#shown || !columns || !this.#latest) return;
    // Elapsed counted to now, so the rate falls while a long call keeps everyone waiting.
    const progress = { ...this.#latest, elapsedMs: performance.now() - this.#started };
    this.#out.stream(1, encoder.encode(ERASE_LINE + progressLine(progress, columns())));
  }

  stop(): void {
    clearTimeout(this.#delay);
    clearInterval(this.#timer);
    this.hide();
    this.#shown = false;
  }
}
