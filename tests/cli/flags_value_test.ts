import assert from "node:assert/strict";
import { parseFlags } from "../../lib/cli/flags.ts";
import { parseRunArgs } from "../../lib/cli/run_args.ts";
import { GvmError } from "../../lib/errors.ts";

const DEFS = {
  gpmd: { type: "string" },
  timeout: { type: "string" },
  command: { type: "string", multiple: true, short: "c" },
  debug: { type: "boolean" },
} as const;

Deno.test("parseFlags() says a flag needs a value when the next word is another of its flags", () => {
  for (const args of [["--gpmd", "-c", "math"], ["--gpmd", "--debug"], ["-c", "--gpmd=x"]]) {
    assert.throws(
      () => parseFlags(args, DEFS, "gvm"),
      (error: unknown) =>
        error instanceof GvmError && error.code === "BAD_FLAGS" &&
        /^(--gpmd|-c) needs a value/.test(error.message),
      args.join(" "),
    );
  }
});

Deno.test("parseFlags() still takes values that only look like flags", () => {
  assert.deepEqual(parseFlags(["--timeout", "-1"], DEFS, "gvm").values, { timeout: "-1" });
  assert.deepEqual(parseFlags(["-c", "--nope"], DEFS, "gvm").values, { command: ["--nope"] });
  assert.deepEqual(parseFlags(["--gpmd=-c"], DEFS, "gvm").values, { gpmd: "-c" });
});

Deno.test("parseRunArgs() says a flag needs a value when the next word is another of its flags", () => {
  assert.throws(
    () => parseRunArgs(["--invoke", "--env", "X=1", "prog.wasm"]),
    (error: unknown) =>
      error instanceof GvmError && error.code === "BAD_FLAGS" &&
      /^--invoke needs a value/.test(error.message),
  );
  assert.equal(parseRunArgs(["--invoke", "add", "m.wasm", "--env"]).invoke, "add");
  assert.deepEqual(parseRunArgs(["--env", "A=--dir", "m.wasm"]).env, ["A=--dir"]);
});
