// What the prompt's pieces share: where they write, and what became of a line. Its own file so
// the evaluator and the helpers it uses (line prefixer, Node.map printer) need not import each other.

/** Where the evaluator writes: text lines, and module output bytes as they stream in. */
export interface Output {
  /**
   * Terminal width; present only on a terminal, where `Node.map` then redraws a progress line
   * in place (through `stream`). Absent in `-c` and piped modes.
   */
  columns?: () => number;
  line(text: string): void;
  error(text: string): void;
  /**
   * Module output as it streams. May return a promise to make the call wait (a slow reader);
   * with `mayDrop` (output that cannot wait, as a peer's) it may drop the bytes instead.
   */
  stream(fd: 1 | 2, data: Uint8Array, mayDrop?: boolean): void | Promise<void>;
}

/** What became of one prompt line. */
export type Outcome = "ok" | "failed" | "exit";
