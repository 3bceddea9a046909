import { MAX_ERROR_CHARS } from "./limits.ts";
import { escapeText } from "./escape.ts";
/**
 * Every domain failure in GVM carries a stable code: the prompt prints it, the wire carries it,
 * and tests assert on it.
 */
export const ERROR_CODES = [
  "SYNTAX_ERROR",
  "BAD_FLAGS",
  "MODULE_NOT_FOUND",
  "EXPORT_NOT_FOUND",
  "BAD_ARGS",
  "BAD_MODULE",
  "TRAP",
  "EXIT_CODE",
  "TIMEOUT",
  "CANCELLED",
  "BUSY",
  "MEMORY_LIMIT",
  "GPMD_NOT_RUNNING",
  "GPMD_DOWN",
  "NAME_TAKEN",
  "NODE_NOT_FOUND",
  "AUTH_FAILED",
  "CONNECTION_DENIED",
  "NOT_CONNECTED",
  "PEER_DOWN",
  "BAD_FRAME",
  "PROTOCOL_ERROR",
  "MODULE_EXISTS",
  "HASH_MISMATCH",
  "COOKIE_ERROR",
  "IO_ERROR",
  "NOT_IMPLEMENTED",
  "INTERNAL",
] as const;

/** One of the codes in {@linkcode ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/**
 * A failure a user can act on: a code plus a one-line message.
 *
 * @example
 * ```ts
 * throw new GvmError("MODULE_NOT_FOUND", "No module named 'maths'");
 * ```
 */
export class GvmError extends Error {
  /** What went wrong, as one of {@linkcode ERROR_CODES}. */
  readonly code: ErrorCode;
  /** For `EXIT_CODE`: the program's own exit status (its `proc_exit` argument). */
  readonly exitCode?: number;

  /** A failure with code `code` and the one-line `message` a user sees. */
  constructor(code: ErrorCode, message: string, options?: GvmErrorOptions) {
    super(message, options);
    this.name = "GvmError";
    this.code = code;
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode;
  }
}

/** Options for {@linkcode GvmError}: the cause, and for `EXIT_CODE` the program's status. */
export interface GvmErrorOptions extends ErrorOptions {
  /** For `EXIT_CODE`: the program's own exit status. */
  exitCode?: number;
}

/**
 * The process exit status a failure stands for: a program's own code for `EXIT_CODE`, else 1.
 *
 * @example
 * ```ts
 * exitStatusOf(new GvmError("EXIT_CODE", "x exited with code 3", { exitCode: 3 })); // 3
 * ```
 */
export function exitStatusOf(error: unknown): number {
  const err = toGvmError(error);
  if (err.code === "EXIT_CODE" && err.exitCode !== undefined && err.exitCode > 0) {
    return err.exitCode & 0xff || 1;
  }
  return 1;
}

/** Whether `value` is a known error code (for codes arriving over the wire). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Turns anything thrown into a {@linkcode GvmError}, so callers print one line with a code.
 *
 * @example
 * ```ts
 * const err = toGvmError(new TypeError("boom")); // code INTERNAL
 * ```
 */
export function toGvmError(error: unknown): GvmError {
  if (error instanceof GvmError) return error;
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new GvmError("IO_ERROR", error.message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GvmError("INTERNAL", message, { cause: error });
}

/** The one line the prompt and the CLI print for a failure. */
export function formatError(error: unknown): string {
  const err = toGvmError(error);
  // One line, whatever a module or peer put in the message (names, their own error text), and
  // a readable one: a 2 MB name typed or sent by a peer is not repeated whole.
  const text = escapeText(err.message);
  const shown = text.length <= MAX_ERROR_CHARS
    ? text
    : `${text.slice(0, MAX_ERROR_CHARS)}… (${text.length - MAX_ERROR_CHARS} more characters)`;
  return `error: ${err.code}: ${shown}`;
}
