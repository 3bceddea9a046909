/**
 * Parser for one line typed at the GVM prompt.
 *
 * Lexing is done on demand by the parser rather than up front, because the same characters mean
 * different things in different places: `node-8399` is one node name but `math-1.add` is a
 * module, an export and a dot, and `9e731370-...` is a call id, not a float.
 *
 * @module
 */

import { GvmError } from "../errors.ts";
import { MAX_MAP_ITEMS } from "../limits.ts";
import { MODULE_NAME_PATTERN, NODE_REF_CHARS } from "../names.ts";

/**
 * One argument of a module call. Integers stay exact as `bigint` so i64/u64 values survive;
 * `text` keeps the literal as typed so error messages can quote it.
 *
 * @example
 * ```ts
 * const arg: Arg = { type: "int", value: -16n, text: "-0x10" };
 * ```
 */
export type Arg =
  | { type: "int"; value: bigint; text: string }
  | { type: "float"; value: number; text: string }
  | { type: "string"; value: string };

/**
 * A module call: `math` / `math()` runs the module's main (no `fn`), `math(1, "x")` passes
 * program arguments, `math.add(1, 2)` calls the export `add`.
 *
 * @example
 * ```ts
 * const call: CallExpr = {
 *   module: "math",
 *   fn: "add",
 *   args: [{ type: "int", value: 1n, text: "1" }, { type: "int", value: 2n, text: "2" }],
 * };
 * ```
 */
export interface CallExpr {
  /** Module name, from the file name without `.wasm`. */
  module: string;
  /** Export to call; absent means run the module's main. */
  fn?: string;
  /** Export arguments, or program arguments when `fn` is absent. */
  args: Arg[];
  /** `math@v0.0.1`: that version from GPMD's store, not the modules folder's copy. */
  version?: string;
  /** `Node.run(n, @math)`: the remote node's own copy, not this node's (sent by hash). */
  own?: boolean;
}

/**
 * What a prompt line asks for.
 *
 * @example
 * ```ts
 * const cmd: Command = { kind: "connect", node: "node-8399" };
 * ```
 */
export type Command =
  | { kind: "empty" }
  | { kind: "help" }
  | { kind: "exit" }
  | { kind: "call"; call: CallExpr }
  | { kind: "discover" }
  | { kind: "list" }
  | { kind: "info" }
  | { kind: "connect"; node: string }
  | { kind: "disconnect"; node: string }
  | { kind: "ping"; node: string }
  | { kind: "run"; node: string; call: CallExpr }
  | { kind: "multicall"; call: CallExpr }
  | { kind: "cancel"; callId: string }
  | { kind: "map"; target: MapTarget; items: Arg[][] };

/**
 * What `Node.map` calls per item: an export (`math.add`), or the module's main when `fn` is
 * absent (`math`).
 *
 * @example
 * ```ts
 * const target: MapTarget = { module: "hello", fn: "fib" };
 * ```
 */
export interface MapTarget {
  /** Module name. */
  module: string;
  /** Export to call; absent runs the module's main. */
  fn?: string;
}

// Sticky so they match exactly at the cursor instead of searching ahead.
// Module and export names: the rule of lib/names.ts.
const IDENT = new RegExp(MODULE_NAME_PATTERN, "y");
const NODE_NAME = new RegExp(`${NODE_REF_CHARS}+`, "y");
const CALL_ID = /[A-Za-z0-9_-]+/y;
const WORD = /[A-Za-z0-9_.@:-]+/y;
const HEX = /[0-9A-Fa-f]+/y;
const DIGITS = /[0-9]+/y;
// `math@v0.0.1.add(1,2)`: a bare version is numbers and dots (and a dot-free pre-release), so
// `.add` cannot be part of it; any other version is quoted: `math@"v1.0.0-rc.1".add(1,2)`.
const BARE_VERSION = /v?[0-9]+(?:\.[0-9]+)*(?:-[0-9A-Za-z-]+)?/y;

/** A cursor over the line plus the one way of reporting errors, so every message has a column. */
class Scanner {
  pos = 0;
  readonly src: string;

  constructor(src: string) {
    this.src = src;
  }

  skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  peek(): string {
    return this.src[this.pos] ?? "";
  }

  /** Skips whitespace, then consumes `ch` if it is next. */
  eat(ch: string): boolean {
    this.skipWs();
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  expect(ch: string, what = `'${ch}'`): void {
    if (!this.eat(ch)) this.fail(what);
  }

  /** Consumes a match of the sticky `re` at the cursor, or returns undefined. */
  match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** Columns count code points, not UTF-16 units, so they line up with what the user sees. */
  column(at = this.pos): number {
    return [...this.src.slice(0, at)].length + 1;
  }

  /** Names what sits at `at` the way a user would: the whole word, not just its first letter. */
  describe(at = this.pos): string {
    if (at >= this.src.length) return "end of line";
    if (this.src[at] === '"') return "a string";
    WORD.lastIndex = at;
    const word = WORD.exec(this.src)?.[0];
    return `'${word ?? String.fromCodePoint(this.src.codePointAt(at)!)}'`;
  }

  error(message: string): GvmError {
    return new GvmError("SYNTAX_ERROR", message);
  }

  fail(expected: string, at = this.pos, found = this.describe(at)): never {
    throw this.error(`expected ${expected} at column ${this.column(at)}, found ${found}`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** Reads a double-quoted string at the cursor and returns its unescaped value. */
function lexString(s: Scanner): string {
  const open = s.pos;
  s.pos++;
  let value = "";
  for (;;) {
    if (s.atEnd()) {
      s.fail(`closing '"' (string opened at column ${s.column(open)})`);
    }
    const ch = s.src[s.pos];
    if (ch === '"') {
      s.pos++;
      return value;
    }
    if (ch !== "\\") {
      value += ch;
      s.pos++;
      continue;
    }
    const escStart = s.pos;
    const kind = s.src[s.pos + 1] ?? "";
    s.pos += 2;
    if (Object.hasOwn(SIMPLE_ESCAPES, kind)) {
      value += SIMPLE_ESCAPES[kind];
    } else if (kind === "x") {
      const hex = s.src.slice(s.pos, s.pos + 2);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) s.fail("2 hex digits after \\x");
      value += String.fromCharCode(parseInt(hex, 16));
      s.pos += 2;
    } else if (kind === "u") {
      value += lexCodePointEscape(s, escStart);
    } else {
      const shown = kind === "" ? "\\" : `\\${kind}`;
      s.fail(
        "an escape (\\n \\t \\r \\0 \\\\ \\\" \\' \\xNN \\u{...})",
        escStart,
        `'${shown}'`,
      );
    }
  }
}

/** The `{1F600}` part of `\u{1F600}`; the cursor is just past the `u`. */
function lexCodePointEscape(s: Scanner, escStart: number): string {
  if (s.peek() !== "{") s.fail("'{' after \\u");
  s.pos++;
  const hexStart = s.pos;
  const hex = s.match(HEX);
  if (hex === undefined || hex.length > 6) s.fail("1 to 6 hex digits in \\u{...}", hexStart);
  if (s.peek() !== "}") s.fail("'}' closing \\u{...}");
  s.pos++;
  const cp = parseInt(hex, 16);
  // Lone surrogates would produce a string that cannot be encoded as UTF-8 for the module.
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    s.fail("a Unicode scalar value", escStart, `'\\u{${hex}}'`);
  }
  return String.fromCodePoint(cp);
}

/** Reads a number literal: decimal or hex integer, float, or `inf` / `-inf` / `nan`. */
function lexNumber(s: Scanner): Arg {
  const start = s.pos;
  const negative = s.peek() === "-";
  if (negative) s.pos++;
  const text = () => s.src.slice(start, s.pos);

  if (/^0[xX]/.test(s.src.slice(s.pos, s.pos + 2))) {
    s.pos += 2;
    const hex = s.match(HEX) ?? s.fail("hex digits after 0x");
    // BigInt() rejects a signed hex string, so negate the magnitude ourselves.
    const magnitude = BigInt(`0x${hex}`);
    return { type: "int", value: negative ? -magnitude : magnitude, text: text() };
  }

  const word = s.match(IDENT);
  if (word !== undefined) {
    if (word === "inf") {
      return { type: "float", value: negative ? -Infinity : Infinity, text: text() };
    }
    if (word === "nan" && !negative) return { type: "float", value: NaN, text: text() };
    s.fail("an argument (number or string)", start, `'${text()}'`);
  }

  if (s.match(DIGITS) === undefined) s.fail("a digit");
  let isFloat = false;
  if (s.peek() === ".") {
    s.pos++;
    isFloat = true;
    if (s.match(DIGITS) === undefined) s.fail("a digit after '.'");
  }
  if (s.peek() === "e" || s.peek() === "E") {
    s.pos++;
    isFloat = true;
    if (s.peek() === "+" || s.peek() === "-") s.pos++;
    if (s.match(DIGITS) === undefined) s.fail("a digit in the exponent");
  }
  return isFloat
    ? { type: "float", value: Number(text()), text: text() }
    : { type: "int", value: BigInt(text()), text: text() };
}

function parseArg(s: Scanner): Arg {
  s.skipWs();
  const ch = s.peek();
  if (ch === '"') return { type: "string", value: lexString(s) };
  if (ch === "." && /[0-9]/.test(s.src[s.pos + 1] ?? "")) {
    s.fail("a digit before '.' (write 0.5, not .5)");
  }
  if (ch === "-" || /[A-Za-z0-9]/.test(ch)) return lexNumber(s);
  return s.fail("an argument (number or string)");
}

/** The argument list after an opening `(`, up to and including the `)`. */
function parseArgList(s: Scanner): Arg[] {
  const args: Arg[] = [];
  if (s.eat(")")) return args;
  for (;;) {
    args.push(parseArg(s));
    if (s.eat(")")) return args;
    s.expect(",", "',' or ')'");
  }
}

/**
 * `math`, `math(args)`, `math.add`, `math.add(args)`, each optionally `math@VERSION`; inside
 * Node.* operations also `@math` (the remote node's own copy).
 */
function parseCall(s: Scanner, what = "a module name", allowOwn = false): CallExpr {
  s.skipWs();
  const own = allowOwn && s.peek() === "@";
  if (own) s.pos++;
  const start = s.pos;
  const module = s.match(IDENT);
  if (module === undefined) s.fail(what);
  if (module === "Node") s.fail(what, start, "'Node' (reserved for Node.* operations)");
  const call: CallExpr = { module, args: [] };
  if (own) call.own = true;
  if (s.peek() === "@") {
    if (own) s.fail("'.' or '(' (@module is the remote node's own copy: it takes no version)");
    s.pos++;
    const version = s.peek() === '"' ? lexString(s) : s.match(BARE_VERSION);
    if (!version) s.fail(`a version after '${module}@' (e.g. v0.0.1)`);
    call.version = version;
  }
  if (s.eat(".")) {
    s.skipWs();
    call.fn = s.match(IDENT) ?? s.fail(`an export name after '${module}.'`);
  }
  if (s.eat("(")) call.args = parseArgList(s);
  return call;
}

/** A bare name (`node-8399`, `name@10.0.0.2:5989`) or a quoted one, never empty. */
function parseName(s: Scanner, bare: RegExp, noun: string): string {
  s.skipWs();
  const start = s.pos;
  if (s.peek() === '"') {
    const name = lexString(s);
    if (name === "") s.fail(`a non-empty ${noun}`, start, '""');
    return name;
  }
  return s.match(bare) ?? s.fail(`a ${noun}`);
}

/**
 * Hands a Node op its arguments one at a time, so each op states its shape as plain code and
 * arity errors come out the same for all of them.
 */
class NodeArgs {
  #given = 0;
  readonly #s: Scanner;
  readonly #op: OpSpec;

  constructor(s: Scanner, op: OpSpec) {
    this.#s = s;
    this.#op = op;
  }

  node(): string {
    this.#next();
    return parseName(this.#s, NODE_NAME, "node name");
  }

  callId(): string {
    this.#next();
    return parseName(this.#s, CALL_ID, "call id");
  }

  call(): CallExpr {
    this.#next();
    return parseCall(this.#s, "a module call (e.g. math or math.add(1, 2))", true);
  }

  /** `Node.map`'s function: `math.add` or `math`, without arguments. */
  mapTarget(): MapTarget {
    this.#s.skipWs();
    if (this.#s.peek() === ")") throw this.#s.error(MAP_USAGE);
    this.#next();
    return parseMapTarget(this.#s);
  }

  /** Every remaining argument as `Node.map` items, ranges expanded; at least one. */
  mapItems(): Arg[][] {
    const s = this.#s;
    s.skipWs();
    if (s.peek() === ")") {
      throw s.error(MAP_USAGE);
    }
    const items: Arg[][] = [];
    for (s.skipWs(); s.peek() !== ")"; s.skipWs()) {
      s.expect(",", "',' or ')'");
      parseMapItem(s, items);
    }
    this.#given++;
    return items;
  }

  /** Consumes the closing `)`, counting any surplus arguments so the error can say how many. */
  finish(): void {
    const s = this.#s;
    let extra = 0;
    while (!s.eat(")")) {
      if (this.#given + extra > 0) s.expect(",", "')'");
      skipLooseArg(s);
      extra++;
    }
    if (extra > 0) throw this.#arity(this.#given + extra);
  }

  #next(): void {
    const s = this.#s;
    s.skipWs();
    if (s.peek() === ")") throw this.#arity(this.#given);
    if (this.#given > 0) s.expect(",", "','");
    this.#given++;
  }

  #arity(got: number): GvmError {
    const { name, params } = this.#op;
    const takes = params.length === 0
      ? "no arguments"
      : `${params.length} argument${params.length === 1 ? "" : "s"} (${params.join(" and ")})`;
    return this.#s.error(`Node.${name} takes ${takes}, got ${got}`);
  }
}

/** Skips one argument of unknown shape (balanced parens, strings) up to `,` or `)`. */
function skipLooseArg(s: Scanner): void {
  s.skipWs();
  const start = s.pos;
  let depth = 0;
  for (;;) {
    const ch = s.peek();
    if (ch === "") s.fail("')'");
    if (depth === 0 && (ch === "," || ch === ")")) break;
    if (ch === '"') {
      lexString(s);
      continue;
    }
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    s.pos++;
  }
  if (s.pos === start) s.fail("an argument");
}

const MAP_USAGE =
  'Node.map takes a function and at least one item (a value, a tuple (1, "x") or a range 1..10)';
const INTEGER = /-?(?:0[xX][0-9A-Fa-f]+|[0-9]+)/y;

/** `math.add` or `math` for `Node.map`: no argument list, the items are the arguments. */
function parseMapTarget(s: Scanner): MapTarget {
  const what = "a module function (e.g. math.add) or module";
  s.skipWs();
  const start = s.pos;
  const module = s.match(IDENT) ?? s.fail(what);
  if (module === "Node") s.fail(what, start, "'Node' (reserved for Node.* operations)");
  const target: MapTarget = { module };
  if (s.eat(".")) {
    s.skipWs();
    target.fn = s.match(IDENT) ?? s.fail(`an export name after '${module}.'`);
  }
  s.skipWs();
  if (s.peek() === "(") {
    s.fail("',' after the function: the items are its arguments, e.g. Node.map(math.add, (1, 2))");
  }
  return target;
}

/** One `Node.map` item: a value, a `(tuple)`, or an inclusive integer range `a..b`. */
function parseMapItem(s: Scanner, items: Arg[][]): void {
  s.skipWs();
  const start = s.pos;
  if (s.peek() === "(") {
    s.pos++;
    pushItem(s, items, [parseArgList(s)], start);
    return;
  }
  const from = s.match(INTEGER);
  s.skipWs();
  if (from !== undefined && s.src.startsWith("..", s.pos)) {
    s.pos += 2;
    pushItem(s, items, parseRange(s, from, start), start);
    return;
  }
  s.pos = start;
  const arg = parseArg(s);
  s.skipWs();
  if (s.src.startsWith("..", s.pos)) s.fail("an integer before '..'", start, `'${argText(arg)}'`);
  pushItem(s, items, [[arg]], start);
}

/** The end of `a..b` and the calls it stands for; the cursor is just past `..`. */
function parseRange(s: Scanner, fromText: string, start: number): Arg[][] {
  s.skipWs();
  const endAt = s.pos;
  const toText = s.match(INTEGER);
  if (toText === undefined || /^[.\w]/.test(s.peek())) s.fail("an integer after '..'", endAt);
  const from = integerValue(fromText);
  const to = integerValue(toText);
  if (to < from) {
    s.fail(`a range end not below its start (${fromText}..b counts up)`, endAt, `'${toText}'`);
  }
  if (to - from >= BigInt(MAX_MAP_ITEMS)) {
    s.fail(`a range of at most ${MAX_MAP_ITEMS} values`, start, `${to - from + 1n} values`);
  }
  const calls: Arg[][] = [];
  for (let v = from; v <= to; v++) calls.push([{ type: "int", value: v, text: v.toString() }]);
  return calls;
}

function pushItem(s: Scanner, items: Arg[][], more: Arg[][], start: number): void {
  if (items.length + more.length > MAX_MAP_ITEMS) {
    s.fail(
      `at most ${MAX_MAP_ITEMS} calls in one Node.map`,
      start,
      `${items.length + more.length}`,
    );
  }
  for (const item of more) items.push(item);
}

function integerValue(text: string): bigint {
  const negative = text.startsWith("-");
  const magnitude = BigInt(negative ? text.slice(1) : text);
  return negative ? -magnitude : magnitude;
}

/**
 * An argument as it reads in messages and `Node.map` result lines: a string quoted, anything
 * else as typed.
 *
 * @example
 * ```ts
 * argText({ type: "int", value: 16n, text: "0x10" }); // "0x10"
 * ```
 */
export function argText(arg: Arg): string {
  return arg.type === "string" ? JSON.stringify(arg.value) : arg.text;
}

interface OpSpec {
  name: string;
  usage: string;
  summary: string;
  /** Describes each parameter for arity errors; must match what `parse` reads. */
  params: readonly string[];
  parse(args: NodeArgs): Command;
}

const OP_SPECS: readonly OpSpec[] = [
  {
    name: "discover",
    usage: "Node.discover()",
    summary: "Find the nodes registered with gpmd",
    params: [],
    parse: () => ({ kind: "discover" }),
  },
  {
    name: "list",
    usage: "Node.list()",
    summary: "List the nodes this node is connected to",
    params: [],
    parse: () => ({ kind: "list" }),
  },
  {
    name: "info",
    usage: "Node.info()",
    summary: "Show this node's name, id, address and GPMD",
    params: [],
    parse: () => ({ kind: "info" }),
  },
  {
    name: "connect",
    usage: "Node.connect(node)",
    summary: "Connect to a node",
    params: ["a node name"],
    parse: (a) => ({ kind: "connect", node: a.node() }),
  },
  {
    name: "disconnect",
    usage: "Node.disconnect(node)",
    summary: "Close the connection to a node",
    params: ["a node name"],
    parse: (a) => ({ kind: "disconnect", node: a.node() }),
  },
  {
    name: "ping",
    usage: "Node.ping(node)",
    summary: "Check that a node answers and how fast",
    params: ["a node name"],
    parse: (a) => ({ kind: "ping", node: a.node() }),
  },
  {
    name: "run",
    usage: "Node.run(node, module.fn(args))",
    summary: "Run a module call on another node (connecting first if need be)",
    params: ["a node name", "a module call"],
    // Property order is evaluation order, so the node is read before the call.
    parse: (a) => ({ kind: "run", node: a.node(), call: a.call() }),
  },
  {
    name: "multicall",
    usage: "Node.multicall(module.fn(args))",
    summary: "Run it on every connected node; each line names its node",
    params: ["a module call"],
    parse: (a) => ({ kind: "multicall", call: a.call() }),
  },
  {
    name: "cancel",
    usage: "Node.cancel(call-id)",
    summary: "Cancel a running call by its id",
    params: ["a call id"],
    parse: (a) => ({ kind: "cancel", callId: a.callId() }),
  },
  {
    name: "map",
    usage: "Node.map(module.fn, items...)",
    summary: "One call per item, spread over the nodes by load; results in order",
    params: ["a module function", "items"],
    parse: (a) => ({ kind: "map", target: a.mapTarget(), items: a.mapItems() }),
  },
];

/**
 * The `Node.*` operations with their argument shapes, for help text and Tab completion. `name`
 * is the bare operation (`connect`); `usage` is the full form (`Node.connect(node)`).
 *
 * @example
 * ```ts
 * for (const op of NODE_OPS) console.log(`${op.usage.padEnd(34)} ${op.summary}`);
 * ```
 */
export const NODE_OPS: readonly { name: string; usage: string; summary: string }[] = Object
  .freeze(OP_SPECS.map(({ name, usage, summary }) => Object.freeze({ name, usage, summary })));

/** `Node.op(...)`; the cursor is just past `Node`. */
function parseNodeOp(s: Scanner): Command {
  s.expect(".", "'.' after Node (e.g. Node.list())");
  s.skipWs();
  const start = s.pos;
  const name = s.match(IDENT);
  const known = `a Node operation (${OP_SPECS.map((op) => op.name).join(", ")})`;
  const op = OP_SPECS.find((spec) => spec.name === name) ?? s.fail(known, start);
  s.expect("(", `'(' after Node.${op.name}`);
  const args = new NodeArgs(s, op);
  const command = op.parse(args);
  args.finish();
  return command;
}

const KEYWORDS: Record<string, "help" | "exit"> = { help: "help", exit: "exit", quit: "exit" };

/**
 * Parses one prompt line.
 *
 * `help`, `exit` and `quit` are keywords only when they are the whole line, so a module named
 * `help` can still be called as `help()`.
 *
 * @throws {GvmError} `SYNTAX_ERROR` saying what was expected and at which 1-based column, e.g.
 *   `expected ')' at column 12, found end of line`, or an arity message such as
 *   `Node.connect takes 1 argument (a node name), got 2`.
 *
 * @example
 * ```ts
 * parseCommand("math.add(1, 2)");
 * // { kind: "call", call: { module: "math", fn: "add", args: [
 * //   { type: "int", value: 1n, text: "1" }, { type: "int", value: 2n, text: "2" }] } }
 * parseCommand("Node.connect(node-8399)"); // { kind: "connect", node: "node-8399" }
 * ```
 */
export function parseCommand(line: string): Command {
  const s = new Scanner(line);
  s.skipWs();
  if (s.atEnd()) return { kind: "empty" };

  const start = s.pos;
  const word = s.match(IDENT);
  s.skipWs();
  if (word !== undefined && Object.hasOwn(KEYWORDS, word) && s.atEnd()) {
    return { kind: KEYWORDS[word] };
  }
  let command: Command;
  if (word === "Node") {
    command = parseNodeOp(s);
  } else {
    s.pos = start;
    command = { kind: "call", call: parseCall(s, "a module name, Node.<op>, help or exit") };
  }
  s.skipWs();
  if (!s.atEnd()) s.fail("end of line");
  return command;
}
