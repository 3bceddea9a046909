// Assertions shared by the tests: a failure is a GvmError with a given code and message.
import assert from "node:assert/strict";
import { type ErrorCode, GvmError } from "../lib/errors.ts";

/** What a message must have: a fragment it contains, or a pattern it matches. */
export type MessageCheck = string | RegExp;

/** Asserts `error` is a GvmError with `code` whose message passes every check. */
function checkGvmError(
  error: unknown,
  code: ErrorCode,
  checks: MessageCheck[],
): asserts error is GvmError {
  assert.ok(error instanceof GvmError, `expected a GvmError, got ${error}`);
  assert.equal(error.code, code);
  for (const check of checks) {
    if (typeof check === "string") {
      assert.ok(error.message.includes(check), `${JSON.stringify(error.message)} lacks ${check}`);
    } else {
      assert.match(error.message, check);
    }
  }
}

/**
 * Asserts `fn` throws a GvmError with `code` whose message contains every string and matches
 * every pattern in `message`; returns that error for further checks.
 */
export function assertGvmError(
  fn: () => unknown,
  code: ErrorCode,
  ...message: MessageCheck[]
): GvmError {
  let thrown: GvmError | undefined;
  assert.throws(fn, (error: unknown) => {
    checkGvmError(error, code, message);
    thrown = error;
    return true;
  });
  return thrown!;
}

/**
 * Asserts `promise` rejects with a GvmError with `code` whose message contains every string and
 * matches every pattern in `message`; resolves with that error for further checks.
 */
export async function assertRejectsGvmError(
  promise: Promise<unknown>,
  code: ErrorCode,
  ...message: MessageCheck[]
): Promise<GvmError> {
  let rejected: GvmError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    checkGvmError(error, code, message);
    rejected = error;
    return true;
  });
  return rejected!;
}
