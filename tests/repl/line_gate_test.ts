import assert from "node:assert/strict";
import { LineGate } from "../../lib/repl/line_gate.ts";

function fakeTerminal() {
  let listener: (chunk: string) => void = () => {};
  return {
    on: (_event: "data", fn: (chunk: string) => void) => listener = fn,
    type: (text: string) => listener(text),
  };
}

function readAll(gate: LineGate): string[] {
  const seen: string[] = [];
  let chunk: string | null;
  while ((chunk = gate.read()) !== null) seen.push(chunk);
  return seen;
}

Deno.test("LineGate lets one line through at a time; keys and Ctrl-C pass at once", () => {
  const terminal = fakeTerminal();
  const gate = new LineGate(terminal);
  terminal.type("a\r\nb\rpartial");
  assert.deepEqual(readAll(gate).join(""), "a\r\n");
  gate.release();
  assert.deepEqual(readAll(gate).join(""), "b\r");
  gate.release();
  assert.deepEqual(readAll(gate).join(""), "partial");
  terminal.type("c\rd\r");
  assert.deepEqual(readAll(gate).join(""), "c\r");
  terminal.type("\x03");
  assert.deepEqual(
    readAll(gate).join(""),
    "\x03",
    "Ctrl-C passes, and drops the rest of the paste",
  );
  gate.release();
  assert.deepEqual(readAll(gate), []);
});

Deno.test("LineGate sets raw mode again when a line comes through a cooked terminal", () => {
  const modes: boolean[] = [];
  const terminal = { ...fakeTerminal(), setRawMode: (mode: boolean) => modes.push(mode) };
  const gate = new LineGate(terminal);
  terminal.type("a\n");
  assert.deepEqual(modes, [], "not while the line editor has not asked for raw mode");
  assert.deepEqual(readAll(gate).join(""), "a\n");
  gate.release();
  gate.setRawMode(true);
  terminal.type("math.mul(6,7)\r");
  assert.deepEqual(modes, [true], "Enter in raw mode is CR: set once, by the line editor");
  assert.deepEqual(readAll(gate).join(""), "math.mul(6,7)\r");
  gate.release();
  terminal.type("math.mul(6,7)\n");
  assert.deepEqual(modes, [true, true]);
  assert.deepEqual(readAll(gate).join(""), "math.mul(6,7)\n", "the line itself goes on");
});
