import { Readable } from "node:stream";

/** The terminal input a {@linkcode LineGate} wraps (`process.stdin`). */
export interface TerminalInput {
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  setRawMode?(mode: boolean): unknown;
}

const CTRL_C = "\x03";

/**
 * Terminal input handed to the line editor one line at a time. Pasting several lines used to
 * echo them all at once, and their outputs then came out below the whole block; now each line
 * is let through only after the previous one has finished and its prompt is drawn
 * ({@linkcode release}), so every line's output sits under its own prompt. Keys typed without
 * Enter pass straight through, and Ctrl-C always does (dropping the rest of a paste), so a
 * running call can still be cancelled.
 *
 * @example
 * ```ts
 * const gate = new LineGate(process.stdin);
 * const rl = createInterface({ input: gate, output: process.stdout, terminal: true });
 * // after each command: gate.release();
 * ```
 */
export class LineGate extends Readable {
  readonly isTTY = true;
  readonly #source: TerminalInput;
  readonly #decoder = new TextDecoder();
  #pending = "";
  #held = false;
  #raw = false;
  /** Sees every key first and returns those still meant for the line editor (Ctrl-R search). */
  keyFilter?: (text: string) => string;

  constructor(source: TerminalInput) {
    super({ encoding: "utf8" });
    this.#source = source;
    source.on("data", (chunk) => this.#take(chunk));
  }

  /** Passed on to the terminal, for the line editor's raw mode. */
  setRawMode(mode: boolean): this {
    this.#raw = mode;
    this.#source.setRawMode?.(mode);
    return this;
  }

  /** Lets the next held line through: the previous one has finished. */
  release(): void {
    this.#held = false;
    this.#drain();
  }

  override _read(): void {
    // Data is pushed as it arrives from the terminal.
  }

  #take(chunk: Uint8Array | string): void {
    // Streaming, so a character split across two reads is still one character.
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    // A whole line ending in LF came through a cooked terminal (raw, Enter is CR): something
    // (a shell after `fg`, a program sharing the terminal) put it back. The terminal has echoed
    // that line itself; raw mode again, so the keys after it are not echoed twice.
    if (this.#raw && text.endsWith("\n") && !text.includes("\r")) {
      this.#source.setRawMode?.(true);
    }
    const keys = this.keyFilter ? this.keyFilter(text) : text;
    if (keys === "") return;
    this.#passOn(keys);
  }

  #passOn(text: string): void {
    if (this.#held && text.includes(CTRL_C)) {
      // Cancel what runs, and the rest of the paste with it.
      this.#pending = "";
      this.push(CTRL_C);
      return;
    }
    this.#pending += text;
    this.#drain();
  }

  #drain(): void {
    while (this.#pending.length > 0 && !this.#held) {
      const end = this.#pending.search(/[\r\n]/);
      if (end === -1) {
        this.push(this.#pending);
        this.#pending = "";
        return;
      }
      // A CR LF pair is one Enter.
      const cut = this.#pending.startsWith("\r\n", end) ? end + 2 : end + 1;
      this.push(this.#pending.slice(0, cut));
      this.#pending = this.#pending.slice(cut);
      this.#held = true;
    }
  }
}
