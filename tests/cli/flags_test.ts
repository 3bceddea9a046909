import assert from "node:assert/strict";
import { closest, type FlagDefs, parseFlags } from "../../lib/cli/flags.ts";
import { assertGvmError } from "../_assert.ts";

const DEFS: FlagDefs = {
  port: { type: "string" },
  cookie: { type: "string", short: "c" },
  dir: { type: "string", multiple: true },
  foreground: { type: "boolean" },
  "secret-knob": { type: "string", hidden: true },
};

Deno.test("`parseFlags()` takes `--flag value`, `--flag=value` and short aliases alike", () => {
  assert.deepEqual(parseFlags(["--port", "7", "x", "-c", "k", "--foreground"], DEFS, "cmd"), {
    values: { port: "7", cookie: "k", foreground: true },
    positionals: ["x"],
  });
  assert.deepEqual(parseFlags(["--port=7", "--cookie=a=b"], DEFS, "cmd").values, {
    port: "7",
    cookie: "a=b",
  });
  assert.deepEqual(parseFlags(["--port="], DEFS, "cmd").values, { port: "" });
});

Deno.test("`parseFlags()` keeps `multiple` values in order and the last single value", () => {
  const { values } = parseFlags(["--dir", "a", "--dir=b", "--port", "1", "--port", "2"], DEFS, "c");
  assert.deepEqual(values, { dir: ["a", "b"], port: "2" });
});

Deno.test("`parseFlags()` treats `-` as a positional and everything after `--` as positionals", () => {
  assert.deepEqual(parseFlags(["-", "--", "--port", "-c"], DEFS, "cmd"), {
    values: {},
    positionals: ["-", "--port", "-c"],
  });
});

Deno.test("`parseFlags()` rejects an unknown flag with BAD_FLAGS, the command and a did-you-mean", () => {
  assertGvmError(
    () => parseFlags(["--prot", "1"], DEFS, "gvm gpmd start"),
    "BAD_FLAGS",
    "Unknown flag --prot for gvm gpmd start; did you mean --port?",
  );
  assertGvmError(() => parseFlags(["-port"], DEFS, "cmd"), "BAD_FLAGS", "did you mean --port?");
  const far = assertGvmError(() => parseFlags(["--zzzzzzzz"], DEFS, "cmd"), "BAD_FLAGS");
  assert.ok(!far.message.includes("did you mean"), far.message);
  assertGvmError(() => parseFlags(["-x"], DEFS, "cmd"), "BAD_FLAGS", "Unknown flag -x");
});

Deno.test("`parseFlags()` never suggests a hidden flag, though it accepts it", () => {
  const error = assertGvmError(() => parseFlags(["--secret-knb"], DEFS, "cmd"), "BAD_FLAGS");
  assert.ok(!error.message.includes("did you mean"), error.message);
  assert.deepEqual(parseFlags(["--secret-knob=1"], DEFS, "cmd").values, { "secret-knob": "1" });
});

Deno.test("`parseFlags()` rejects a missing value and a value on a boolean flag", () => {
  assertGvmError(() => parseFlags(["--port"], DEFS, "cmd"), "BAD_FLAGS", "--port needs a value");
  assertGvmError(() => parseFlags(["-c"], DEFS, "cmd"), "BAD_FLAGS", "-c needs a value");
  assertGvmError(
    () => parseFlags(["--foreground=yes"], DEFS, "cmd"),
    "BAD_FLAGS",
    "--foreground takes no value",
  );
});

Deno.test("`closest()` picks the nearest name within a distance that grows with length", () => {
  assert.equal(closest("--prot", ["--port", "--cookie"]), "--port");
  assert.equal(closest("--cokie", ["--port", "--cookie"]), "--cookie");
  assert.equal(closest("--abc", ["--xyz"]), undefined);
  assert.equal(closest("--x", []), undefined);
  // Ties keep the first candidate.
  assert.equal(closest("--ab", ["--aa", "--bb"]), "--aa");
});
