import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { parseCli } from "../../lib/cli/args.ts";
import { envEntry, parseRunArgs } from "../../lib/cli/run_args.ts";

Deno.test("parseRunArgs() reads flags before FILE and leaves the rest to the program", () => {
  const options = parseRunArgs([
    "--env",
    "A=1",
    "--env=B=x=y",
    "--dir",
    "d::/",
    "--allow-dir=e:/e",
    "--invoke",
    "add",
    "--timeout=2.5",
    "--max-memory",
    "64",
    "prog.wasm",
    "--env",
    "--help",
    "x",
  ]);
  assert.equal(options.file, "prog.wasm");
  assert.deepEqual(options.args, ["--env", "--help", "x"]);
  assert.deepEqual(options.env, ["A=1", "B=x=y"]);
  assert.deepEqual(options.dirs, [{ host: "d", guest: "/" }, { host: "e", guest: "/e" }]);
  assert.equal(options.invoke, "add");
  assert.equal(options.timeoutSeconds, 2.5);
  assert.equal(options.maxMemoryMiB, 64);
  assert.deepEqual(parseRunArgs(["--", "-odd.wasm", "1"]).args, ["1"]);
});

Deno.test("parseRunArgs() refuses unknown flags, missing values and a missing FILE", () => {
  assertGvmError(() => parseRunArgs(["--nope", "x.wasm"]), "BAD_FLAGS");
  assertGvmError(() => parseRunArgs(["--env"]), "BAD_FLAGS");
  assertGvmError(() => parseRunArgs([]), "BAD_FLAGS", "FILE.wasm");
  assertGvmError(() => parseRunArgs(["--timeout", "0", "x.wasm"]), "BAD_FLAGS");
});

Deno.test("parseCli() sends `run` to gvm run, `run --help` to the help", () => {
  assert.equal(parseCli(["run", "x.wasm", "--help"]).kind, "run");
  assert.equal(parseCli(["run", "--help"]).kind, "help");
  const node = parseCli(["--env", "K=V", "-c", "math"]);
  assert.ok(node.kind === "node");
  assert.deepEqual(node.options.env, ["K=V"]);
});

Deno.test("envEntry() takes NAME=VALUE, or a bare NAME from gvm's own environment", () => {
  assert.equal(envEntry("A=b=c"), "A=b=c");
  assert.equal(envEntry("GVM_SURELY_UNSET_VARIABLE"), "GVM_SURELY_UNSET_VARIABLE=");
  assertGvmError(() => envEntry("=x"), "BAD_FLAGS");
});
