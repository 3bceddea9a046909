import assert from "node:assert/strict";
import {
  ERROR_CODES,
  exitStatusOf,
  formatError,
  GvmError,
  isErrorCode,
  toGvmError,
} from "../lib/errors.ts";

Deno.test("`GvmError` carries its code, message, cause and exit code", () => {
  const cause = new Error("inner");
  const error = new GvmError("EXIT_CODE", "x exited with code 3", { cause, exitCode: 3 });
  assert.ok(error instanceof Error);
  assert.deepEqual([error.code, error.message, error.cause, error.exitCode], [
    "EXIT_CODE",
    "x exited with code 3",
    cause,
    3,
  ]);
});

Deno.test("`exitStatusOf()` is a program's own code for EXIT_CODE, modulo 256, else 1", () => {
  const exit = (exitCode?: number) => new GvmError("EXIT_CODE", "x", { exitCode });
  assert.equal(exitStatusOf(exit(3)), 3);
  assert.equal(exitStatusOf(exit(255)), 255);
  assert.equal(exitStatusOf(exit(257)), 1, "257 & 0xff is 1");
  assert.equal(exitStatusOf(exit(256)), 1, "256 & 0xff is 0: a failure still exits non-zero");
  assert.equal(exitStatusOf(exit(0)), 1);
  assert.equal(exitStatusOf(exit()), 1);
  assert.equal(exitStatusOf(new GvmError("TRAP", "x", { exitCode: 9 })), 1);
  assert.equal(exitStatusOf(new Error("plain")), 1);
});

Deno.test("`isErrorCode()` knows exactly the listed codes", () => {
  for (const code of ERROR_CODES) assert.ok(isErrorCode(code), code);
  for (const value of ["trap", "NOPE", "", 1, undefined, null]) assert.ok(!isErrorCode(value));
});

Deno.test("`toGvmError()` keeps a GvmError, names a refused connection IO_ERROR, else INTERNAL", () => {
  const own = new GvmError("TRAP", "x");
  assert.equal(toGvmError(own), own);
  const refused = toGvmError(
    new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
  );
  assert.deepEqual([refused.code, refused.message], [
    "IO_ERROR",
    "Connection refused (os error 111)",
  ]);
  const plain = new TypeError("boom");
  const internal = toGvmError(plain);
  assert.deepEqual([internal.code, internal.message, internal.cause], ["INTERNAL", "boom", plain]);
  assert.equal(toGvmError("just text").message, "just text");
});

Deno.test("`formatError()` prints `error: CODE: message` for anything thrown", () => {
  assert.equal(formatError(new GvmError("NODE_NOT_FOUND", "no x")), "error: NODE_NOT_FOUND: no x");
  assert.equal(formatError(new RangeError("bad")), "error: INTERNAL: bad");
});

Deno.test("`formatError()` shortens a huge message to one readable line, saying how much is left", () => {
  const line = formatError(new GvmError("MODULE_NOT_FOUND", `No module named ${"x".repeat(5000)}`));
  assert.ok(line.length < 1100, `${line.length} characters`);
  assert.match(line, /^error: MODULE_NOT_FOUND: No module named x+… \(4016 more characters\)$/);
});
