import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { MAX_MAP_ITEMS } from "../../lib/limits.ts";
import { type Arg, parseCommand } from "../../lib/repl/parser.ts";

const int = (value: bigint, text = String(value)): Arg => ({ type: "int", value, text });

function mapOf(line: string) {
  const cmd = parseCommand(line);
  if (cmd.kind !== "map") assert.fail(`expected map, got ${cmd.kind}`);
  return cmd;
}

const assertSyntaxError = (line: string, ...fragments: string[]) =>
  assertGvmError(() => parseCommand(line), "SYNTAX_ERROR", ...fragments);

Deno.test("`parseCommand()` expands a Node.map range into one call per value, ends included", () => {
  const cmd = mapOf("Node.map(hello.fib, 30..33)");
  assert.deepEqual(cmd.target, { module: "hello", fn: "fib" });
  assert.deepEqual(cmd.items, [[int(30n)], [int(31n)], [int(32n)], [int(33n)]]);
});

Deno.test("`parseCommand()` reads Node.map values, tuples, hex and negative ranges in order", () => {
  const cmd = mapOf('Node.map(math.add, (1, 2), ("x"), 7, -1 .. 0x1, ())');
  assert.deepEqual(cmd.items, [
    [int(1n), int(2n)],
    [{ type: "string", value: "x" }],
    [int(7n)],
    [int(-1n)],
    [int(0n)],
    [int(1n)],
    [],
  ]);
});

Deno.test("`parseCommand()` reads Node.map of a module's main", () => {
  assert.deepEqual(mapOf("Node.map(hello, 1)").target, { module: "hello" });
});

Deno.test("`parseCommand()` rejects Node.map without items", () => {
  assertSyntaxError("Node.map(math.add)", "at least one item");
  assertSyntaxError("Node.map()", "at least one item");
});

Deno.test("`parseCommand()` rejects Node.map's function with arguments, at its column", () => {
  assertSyntaxError("Node.map(math.add(1), 2)", "',' after the function", "column 18");
});

Deno.test("`parseCommand()` rejects bad Node.map ranges with their column", () => {
  assertSyntaxError("Node.map(m.f, 1..)", "an integer after '..' at column 18, found ')'");
  assertSyntaxError("Node.map(m.f, 5..1)", "range end not below its start", "column 18");
  assertSyntaxError("Node.map(m.f, 1.5..3)", "an integer before '..' at column 15, found '1.5'");
  assertSyntaxError("Node.map(m.f, 1..3.5)", "an integer after '..' at column 18");
  assertSyntaxError('Node.map(m.f, "a"..3)', "an integer before '..' at column 15");
  assertSyntaxError(`Node.map(m.f, 0..${MAX_MAP_ITEMS})`, `at most ${MAX_MAP_ITEMS} values`);
  assertSyntaxError(
    `Node.map(m.f, 1..${MAX_MAP_ITEMS}, 1)`,
    `at most ${MAX_MAP_ITEMS} calls`,
    "column",
  );
});

Deno.test("`parseCommand()` rejects bad Node.map tuples with their column", () => {
  assertSyntaxError("Node.map(m.f, (1, 2)", "',' or ')' at column 21, found end of line");
  assertSyntaxError("Node.map(m.f, (1 2))", "',' or ')' at column 18, found '2'");
  assertSyntaxError("Node.map(m.f, 1 2)", "',' or ')' at column 17");
});
