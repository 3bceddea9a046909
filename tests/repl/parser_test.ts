import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { type Arg, NODE_OPS, parseCommand } from "../../lib/repl/parser.ts";

const int = (value: bigint, text = String(value)): Arg => ({ type: "int", value, text });
const float = (value: number, text: string): Arg => ({ type: "float", value, text });
const str = (value: string): Arg => ({ type: "string", value });

/** The arguments of a plain module call line, so argument tests stay one-liners. */
function argsOf(line: string): Arg[] {
  const cmd = parseCommand(line);
  if (cmd.kind !== "call") assert.fail(`expected a call, got ${cmd.kind}`);
  return cmd.call.args;
}

/** Asserts `line` is a SYNTAX_ERROR whose message contains every fragment. */
const assertSyntaxError = (line: string, ...fragments: string[]) =>
  assertGvmError(() => parseCommand(line), "SYNTAX_ERROR", ...fragments);

Deno.test("`parseCommand()` reads a bare module name as a run of its main", () => {
  assert.deepEqual(parseCommand("math"), { kind: "call", call: { module: "math", args: [] } });
});

Deno.test("`parseCommand()` treats `math()` like `math`", () => {
  assert.deepEqual(parseCommand("math()"), { kind: "call", call: { module: "math", args: [] } });
});

Deno.test("`parseCommand()` passes program arguments to a module's main", () => {
  assert.deepEqual(parseCommand('math(1, "x")'), {
    kind: "call",
    call: { module: "math", args: [int(1n), str("x")] },
  });
});

Deno.test("`parseCommand()` reads an export call", () => {
  assert.deepEqual(parseCommand("math.add(1,2)"), {
    kind: "call",
    call: { module: "math", fn: "add", args: [int(1n), int(2n)] },
  });
});

Deno.test("`parseCommand()` reads an export call with zero arguments", () => {
  assert.deepEqual(parseCommand("math.add()"), {
    kind: "call",
    call: { module: "math", fn: "add", args: [] },
  });
});

Deno.test("`parseCommand()` accepts hyphens and underscores in module and export names", () => {
  assert.deepEqual(parseCommand("my-mod.do_it_2()"), {
    kind: "call",
    call: { module: "my-mod", fn: "do_it_2", args: [] },
  });
  assert.deepEqual(parseCommand("_priv"), { kind: "call", call: { module: "_priv", args: [] } });
});

Deno.test("`parseCommand()` reads help, exit and quit", () => {
  assert.deepEqual(parseCommand("help"), { kind: "help" });
  assert.deepEqual(parseCommand("exit"), { kind: "exit" });
  assert.deepEqual(parseCommand("quit"), { kind: "exit" });
  assert.deepEqual(parseCommand("  help \t"), { kind: "help" });
});

Deno.test("`parseCommand()` leaves `help()` as a call so a module named help stays reachable", () => {
  assert.deepEqual(parseCommand("help()"), { kind: "call", call: { module: "help", args: [] } });
});

Deno.test("`parseCommand()` reads an empty or blank line as empty", () => {
  assert.deepEqual(parseCommand(""), { kind: "empty" });
  assert.deepEqual(parseCommand("   \t "), { kind: "empty" });
});

Deno.test("`parseCommand()` reads the Node ops without arguments", () => {
  assert.deepEqual(parseCommand("Node.discover()"), { kind: "discover" });
  assert.deepEqual(parseCommand("Node.list()"), { kind: "list" });
  assert.deepEqual(parseCommand("Node.info()"), { kind: "info" });
});

Deno.test("`parseCommand()` reads connect, disconnect and ping with a bare node name", () => {
  assert.deepEqual(parseCommand("Node.connect(node-8399)"), {
    kind: "connect",
    node: "node-8399",
  });
  assert.deepEqual(parseCommand("Node.disconnect(node-8399)"), {
    kind: "disconnect",
    node: "node-8399",
  });
  assert.deepEqual(parseCommand("Node.ping(node-8399)"), { kind: "ping", node: "node-8399" });
});

Deno.test("`parseCommand()` accepts node names with host, address and port, bare or quoted", () => {
  for (const name of ["name@host", "name@10.0.0.2:5989", "worker_1@my-host.local", "node-8399"]) {
    assert.deepEqual(parseCommand(`Node.connect(${name})`), { kind: "connect", node: name });
    assert.deepEqual(parseCommand(`Node.connect("${name}")`), { kind: "connect", node: name });
  }
});

Deno.test("`parseCommand()` reads Node.run with a module, a main call or an export call", () => {
  assert.deepEqual(parseCommand("Node.run(node-8399, math)"), {
    kind: "run",
    node: "node-8399",
    call: { module: "math", args: [] },
  });
  assert.deepEqual(parseCommand('Node.run(node-8399, math(1,"a"))'), {
    kind: "run",
    node: "node-8399",
    call: { module: "math", args: [int(1n), str("a")] },
  });
  assert.deepEqual(parseCommand("Node.run(node-8399,math.add(34,34))"), {
    kind: "run",
    node: "node-8399",
    call: { module: "math", fn: "add", args: [int(34n), int(34n)] },
  });
});

Deno.test("`parseCommand()` reads Node.multicall", () => {
  assert.deepEqual(parseCommand("Node.multicall(math.add(1,2))"), {
    kind: "multicall",
    call: { module: "math", fn: "add", args: [int(1n), int(2n)] },
  });
});

Deno.test("`parseCommand()` reads Node.cancel with a bare or quoted call id", () => {
  const id = "9e731370-d42c-4545-8a93-c31a74b7b2e9";
  assert.deepEqual(parseCommand(`Node.cancel(${id})`), { kind: "cancel", callId: id });
  assert.deepEqual(parseCommand(`Node.cancel("${id}")`), { kind: "cancel", callId: id });
});

Deno.test("`parseCommand()` allows whitespace between every token", () => {
  assert.deepEqual(parseCommand('  Node . run (  node-1 ,\tmath . add ( 1 , "a b" ) )  '), {
    kind: "run",
    node: "node-1",
    call: { module: "math", fn: "add", args: [int(1n), str("a b")] },
  });
  assert.deepEqual(parseCommand(" math ( ) "), {
    kind: "call",
    call: { module: "math", args: [] },
  });
});

Deno.test("`parseCommand()` reads decimal and negative integers as bigint", () => {
  assert.deepEqual(argsOf("f.g(42, -7, 0, -0, 007)"), [
    int(42n),
    int(-7n),
    int(0n),
    int(0n, "-0"),
    int(7n, "007"),
  ]);
});

Deno.test("`parseCommand()` keeps i64 beyond 2^53 exact", () => {
  assert.deepEqual(argsOf("f.g(9007199254740993, -9007199254740993)"), [
    int(9007199254740993n),
    int(-9007199254740993n),
  ]);
});

Deno.test("`parseCommand()` keeps 2^64-1 and -2^63 exact", () => {
  assert.deepEqual(argsOf("f.g(18446744073709551615, -9223372036854775808)"), [
    int(18446744073709551615n),
    int(-9223372036854775808n),
  ]);
});

Deno.test("`parseCommand()` reads hex integers in either case, including negative ones", () => {
  assert.deepEqual(argsOf("f.g(0x1F, 0X1f, -0x10, 0xFFFFFFFFFFFFFFFF)"), [
    int(31n, "0x1F"),
    int(31n, "0X1f"),
    int(-16n, "-0x10"),
    int(18446744073709551615n, "0xFFFFFFFFFFFFFFFF"),
  ]);
});

Deno.test("`parseCommand()` reads floats with fractions and exponents", () => {
  assert.deepEqual(argsOf("f.g(1.5, -2.5e3, 1e3, 2E-2, 0.0, 3.25e+1)"), [
    float(1.5, "1.5"),
    float(-2500, "-2.5e3"),
    float(1000, "1e3"),
    float(0.02, "2E-2"),
    float(0, "0.0"),
    float(32.5, "3.25e+1"),
  ]);
});

Deno.test("`parseCommand()` reads inf, -inf and nan as floats", () => {
  assert.deepEqual(argsOf("f.g(inf, -inf, nan)"), [
    float(Infinity, "inf"),
    float(-Infinity, "-inf"),
    float(NaN, "nan"),
  ]);
});

Deno.test("`parseCommand()` decodes every string escape", () => {
  assert.deepEqual(argsOf(String.raw`f.g("a\nb\tc\rd\0e\\f\"g\'h")`), [
    str("a\nb\tc\rd\0e\\f\"g'h"),
  ]);
  assert.deepEqual(argsOf(String.raw`f.g("\x41\x7a\xE9")`), [str("Az\u00e9")]);
  assert.deepEqual(argsOf(String.raw`f.g("\u{1F600}", "\u{41}", "\u{10FFFF}")`), [
    str("😀"),
    str("A"),
    str("\u{10FFFF}"),
  ]);
});

Deno.test("`parseCommand()` keeps non-ASCII text in strings as typed", () => {
  assert.deepEqual(argsOf('f.g("héllo 日本語 😀", "")'), [str("héllo 日本語 😀"), str("")]);
  assert.deepEqual(argsOf('f.g("a,b)c(")'), [str("a,b)c(")]);
});

Deno.test("`NODE_OPS` lists every Node operation with usage and summary", () => {
  assert.deepEqual(NODE_OPS.map((op) => op.name), [
    "discover",
    "list",
    "info",
    "connect",
    "disconnect",
    "ping",
    "run",
    "multicall",
    "cancel",
    "map",
  ]);
  for (const op of NODE_OPS) {
    assert.ok(op.usage.startsWith(`Node.${op.name}(`), op.usage);
    assert.ok(op.summary.length > 0);
  }
});

Deno.test("`parseCommand()` rejects unbalanced parentheses", () => {
  assertSyntaxError("math.add(1,2", "expected ',' or ')' at column 13", "end of line");
  assertSyntaxError("math.add(1,2))", "expected end of line at column 14");
  assertSyntaxError("Node.ping(x", "expected ')' at column 12");
  assertSyntaxError("math.add)", "expected end of line at column 9");
});

Deno.test("`parseCommand()` rejects trailing garbage and a trailing semicolon", () => {
  assertSyntaxError("math;", "expected end of line at column 5", "';'");
  assertSyntaxError("math.add(1,2);", "expected end of line at column 14");
  assertSyntaxError("Node.list() x", "expected end of line at column 13", "'x'");
  assertSyntaxError("help me", "expected end of line at column 6");
  assertSyntaxError("math.add(1 2)", "expected ',' or ')' at column 12");
});

Deno.test("`parseCommand()` rejects an unterminated string", () => {
  assertSyntaxError('math("abc', "expected closing '\"'", "opened at column 6");
  assertSyntaxError(String.raw`math("abc\")`, "expected closing '\"'");
});

Deno.test("`parseCommand()` rejects unknown and malformed escapes", () => {
  assertSyntaxError(String.raw`math("\q")`, "expected an escape", "at column 7", String.raw`'\q'`);
  assertSyntaxError(String.raw`math("\x4")`, "2 hex digits after \\x");
  assertSyntaxError(String.raw`math("\u1234")`, "'{' after \\u");
  assertSyntaxError(String.raw`math("\u{}")`, "1 to 6 hex digits");
  assertSyntaxError(String.raw`math("\u{D800}")`, "Unicode scalar value");
  assertSyntaxError(String.raw`math("\u{110000}")`, "Unicode scalar value");
});

Deno.test("`parseCommand()` counts columns in code points, not UTF-16 units", () => {
  assertSyntaxError('math("😀", x)', "at column 11", "'x'");
});

Deno.test("`parseCommand()` rejects an unknown Node op and names the known ones", () => {
  assertSyntaxError("Node.foo()", "at column 6", "'foo'", "discover", "connect", "cancel");
  assertSyntaxError("Node", "expected '.' after Node");
  assertSyntaxError("Node.list", "expected '(' after Node.list");
});

Deno.test("`parseCommand()` rejects wrong arity for Node ops", () => {
  assertSyntaxError("Node.discover(x)", "Node.discover takes no arguments, got 1");
  assertSyntaxError('Node.list(a, "b", f(1, 2))', "Node.list takes no arguments, got 3");
  assertSyntaxError("Node.connect()", "Node.connect takes 1 argument (a node name), got 0");
  assertSyntaxError("Node.connect(a, b)", "Node.connect takes 1 argument (a node name), got 2");
  assertSyntaxError("Node.run(node-1)", "Node.run takes 2 arguments", "got 1");
  assertSyntaxError("Node.run(node-1, math, x)", "Node.run takes 2 arguments", "got 3");
  assertSyntaxError("Node.cancel()", "Node.cancel takes 1 argument (a call id), got 0");
  assertSyntaxError("Node.connect(a,)", "expected an argument at column 16");
});

Deno.test("`parseCommand()` requires a module call as Node.run's second argument", () => {
  assertSyntaxError("Node.run(node-1, 5)", "expected a module call", "at column 18", "'5'");
  assertSyntaxError('Node.run(node-1, "math")', "expected a module call", "a string");
  assertSyntaxError("Node.run(node-1, Node.list())", "'Node' (reserved");
  assertSyntaxError("Node.multicall(42)", "expected a module call");
});

Deno.test("`parseCommand()` rejects an empty node name", () => {
  assertSyntaxError('Node.connect("")', "expected a non-empty node name at column 14");
  assertSyntaxError("Node.connect(,)", "expected a node name at column 14");
  assertSyntaxError('Node.cancel("")', "expected a non-empty call id");
});

Deno.test("`parseCommand()` rejects malformed numbers", () => {
  assertSyntaxError("1.", "expected a module name", "at column 1");
  assertSyntaxError("math(1.)", "expected a digit after '.' at column 8");
  assertSyntaxError("math(.5)", "expected a digit before '.'", "at column 6");
  assertSyntaxError("math(--3)", "expected a digit at column 7");
  assertSyntaxError("math(- 3)", "expected a digit at column 7");
  assertSyntaxError("math(1e)", "expected a digit in the exponent");
  assertSyntaxError("math(0x)", "expected hex digits after 0x");
  assertSyntaxError("math(1.5.3)", "expected ',' or ')' at column 9");
  assertSyntaxError("math(+3)", "expected an argument");
});

Deno.test("`parseCommand()` rejects bare words as arguments, including true and false", () => {
  assertSyntaxError("math(true)", "expected an argument (number or string)", "'true'");
  assertSyntaxError("math(false)", "'false'");
  assertSyntaxError("math(-nan)", "'-nan'");
  assertSyntaxError("math(1,)", "expected an argument", "at column 8");
});

Deno.test("`parseCommand()` rejects lines that do not start with a name", () => {
  assertSyntaxError("42", "expected a module name, Node.<op>, help or exit at column 1");
  assertSyntaxError('"math"', "at column 1", "a string");
  assertSyntaxError("math.(1)", "expected an export name after 'math.' at column 6");
});

Deno.test("`parseCommand()` reads `math@v0.0.1` with or without an export", () => {
  assert.deepEqual(parseCommand("math@v0.0.1"), {
    kind: "call",
    call: { module: "math", args: [], version: "v0.0.1" },
  });
  assert.deepEqual(parseCommand("math@v0.0.1.add(1, 2)"), {
    kind: "call",
    call: { module: "math", fn: "add", args: [int(1n), int(2n)], version: "v0.0.1" },
  });
  assert.deepEqual(parseCommand('math@"v1.0.0-rc.1".add()'), {
    kind: "call",
    call: { module: "math", fn: "add", args: [], version: "v1.0.0-rc.1" },
  });
  assert.deepEqual(parseCommand("Node.run(node-1, math@1.2.add(3))"), {
    kind: "run",
    node: "node-1",
    call: { module: "math", fn: "add", args: [int(3n)], version: "1.2" },
  });
  assertSyntaxError("math@.add(1)", "a version after 'math@'");
});

Deno.test("`parseCommand()` reads `@math` inside Node.run as the remote node's own copy", () => {
  assert.deepEqual(parseCommand("Node.run(node-1, @math.add(1,2))"), {
    kind: "run",
    node: "node-1",
    call: { module: "math", fn: "add", args: [int(1n), int(2n)], own: true },
  });
  assertSyntaxError("@math.add(1,2)");
  assertSyntaxError("Node.run(node-1, @math@v1.add(1))", "takes no version");
});
