/** What {@linkcode HistorySearch} needs from the line editor and the terminal. */
export interface SearchHost {
  /** History, newest first (node:readline's `rl.history`). */
  history(): readonly string[];
  /** Writes to the terminal. */
  write(text: string): void;
  /** Redraws the prompt and the current line (after the search line is cleared). */
  redraw(): void;
}

const CTRL_R = "\x12";
const CTRL_G = "\x07";
const CTRL_C = "\x03";
const ESC = "\x1b";
const BACKSPACE = new Set(["\x7f", "\b"]);
/** Ctrl-U: the line editor's "delete to start of line", to replace the line with a match. */
const KILL_LINE = "\x15";

/**
 * Ctrl-R reverse history search, as in bash: type to find the newest history line containing
 * the text, Ctrl-R again for older ones, Enter runs the match, Esc or an arrow key puts it on
 * the line for editing, Ctrl-G or Ctrl-C gives up. node:readline has no such search, so this
 * sits in front of it and filters the keys ({@linkcode filter}).
 *
 * @example
 * ```ts
 * const search = new HistorySearch(host);
 * const toEditor = search.filter(keysFromTerminal); // what the line editor should still see
 * ```
 */
export class HistorySearch {
  readonly #host: SearchHost;
  #active = false;
  #query = "";
  /** Index in history (newest first) of the match shown, or -1. */
  #at = -1;

  constructor(host: SearchHost) {
    this.#host = host;
  }

  /** Whether a search is under way. */
  get active(): boolean {
    return this.#active;
  }

  /** Takes keys from the terminal; returns those the line editor should get. */
  filter(text: string): string {
    let out = "";
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (!this.#active) {
        if (ch === CTRL_R) this.#start();
        else out += ch;
        continue;
      }
      if (ch === CTRL_R) {
        this.#find(this.#at + 1);
      } else if (ch === "\r" || ch === "\n") {
        out += this.#finish(true) + ch;
      } else if (ch === ESC) {
        // Esc alone, or an arrow key: edit the match; the key itself goes on to the editor.
        out += this.#finish(true) + text.slice(i + 1 === text.length ? i + 1 : i);
        return out;
      } else if (ch === CTRL_G || ch === CTRL_C) {
        this.#finish(false);
      } else if (BACKSPACE.has(ch)) {
        this.#query = [...this.#query].slice(0, -1).join("");
        this.#find(0);
      } else if (ch >= " ") {
        this.#query += ch;
        this.#find(Math.max(this.#at, 0));
      }
    }
    return out;
  }

  #start(): void {
    this.#active = true;
    this.#query = "";
    this.#at = -1;
    this.#show();
  }

  /** Finds the newest match at or after index `from`; keeps the current one if none. */
  #find(from: number): void {
    const history = this.#host.history();
    for (let i = from; this.#query !== "" && i < history.length; i++) {
      if (history[i].includes(this.#query)) {
        this.#at = i;
        this.#show();
        return;
      }
    }
    if (this.#query === "") this.#at = -1;
    this.#show(this.#query !== "" && (this.#at === -1 || !this.#match().includes(this.#query)));
  }

  #match(): string {
    return this.#at === -1 ? "" : this.#host.history()[this.#at] ?? "";
  }

  #show(failed = false): void {
    const label = failed ? "failing reverse-i-search" : "reverse-i-search";
    this.#host.write(`\r\x1b[K(${label})'${this.#query}': ${this.#match()}`);
  }

  /** Ends the search; returns the keys that put the match on the line (if `keep`). */
  #finish(keep: boolean): string {
    this.#active = false;
    const match = this.#match();
    this.#host.write("\r\x1b[K");
    if (keep && match !== "") return KILL_LINE + match;
    this.#host.redraw();
    return "";
  }
}
