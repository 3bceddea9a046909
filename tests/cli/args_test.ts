import assert from "node:assert/strict";
import { parseCli } from "../../lib/cli/args.ts";
import { GvmError } from "../../lib/errors.ts";

function badFlags(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (error) {
    assert.ok(error instanceof GvmError);
    assert.equal(error.code, "BAD_FLAGS");
    return error.message;
  }
  throw new Error(`parseCli(${JSON.stringify(argv)}) did not fail`);
}

Deno.test("parseCli() leaves `wasm upload --version` to the upload, in both spellings", () => {
  const spaced = parseCli([
    "wasm",
    "upload",
    "--name",
    "fl2",
    "--version",
    "v1.0.0",
    "--file",
    "x",
  ]);
  assert.deepEqual(spaced, {
    kind: "wasm-upload",
    client: { gpmd: undefined, tls: { cert: undefined, key: undefined, ca: undefined } },
    name: "fl2",
    version: "v1.0.0",
    file: "x",
  });
  const joined = parseCli(["wasm", "upload", "--name=fl2", "--version=v1.0.0", "--file=x"]);
  assert.deepEqual(joined, spaced);
  assert.deepEqual(parseCli(["--version"]), { kind: "version" });
  assert.deepEqual(parseCli(["-V"]), { kind: "version" });
  assert.deepEqual(parseCli(["gpmd", "status", "--help"]), { kind: "help" });
});

Deno.test("parseCli() takes `--flag value` and `--flag=value` for every flag", () => {
  const a = parseCli(["--name", "n1", "--timeout", "2", "-c", "math", "--allow-dir", "/tmp"]);
  const b = parseCli(["--name=n1", "--timeout=2", "-c", "math", "--allow-dir=/tmp"]);
  assert.deepEqual(a, b);
  assert.equal(a.kind === "node" && a.options.timeoutSeconds, 2);
  const start = parseCli(["gpmd", "start", "--port=0", "--listen=0.0.0.0", "--foreground"]);
  assert.equal(start.kind === "gpmd-start" && start.port, 0);
  assert.equal(start.kind === "gpmd-start" && start.listen, "0.0.0.0");
  const status = parseCli(["gpmd", "status", "--gpmd=127.0.0.1:1"]);
  assert.equal(status.kind === "gpmd-status" && status.client.gpmd, "127.0.0.1:1");
});

Deno.test("parseCli() names an unknown flag in one line with a did-you-mean", () => {
  assert.equal(
    badFlags(["--modles", "x"]),
    "Unknown flag --modles for gvm; did you mean --modules? (see gvm --help)",
  );
  assert.equal(
    badFlags(["gpmd", "start", "--prot", "0"]),
    "Unknown flag --prot for gvm gpmd start; did you mean --port? (see gvm --help)",
  );
  assert.equal(badFlags(["--zzzzzzzz"]), "Unknown flag --zzzzzzzz for gvm (see gvm --help)");
  assert.equal(
    badFlags(["gpmd", "status", "--version"]),
    "Unknown flag --version for gvm gpmd status (see gvm --help)",
  );
  assert.doesNotMatch(badFlags(["--modles", "x"]), /'/);
});

Deno.test("parseCli() says -c needs a value without naming undocumented flags", () => {
  const message = badFlags(["-c"]);
  assert.equal(message, "-c needs a value (see gvm --help)");
  assert.equal(badFlags(["--debug=yes"]), "--debug takes no value (see gvm --help)");
});

Deno.test("parseCli() decodes headless nodes and gvm node list|stop", () => {
  const serve = parseCli(["--serve", "--name=n1"]);
  assert.equal(serve.kind === "node" && serve.options.serve, true);
  const detached = parseCli(["--detached"]);
  assert.equal(detached.kind === "node" && detached.options.detached, true);
  assert.deepEqual(parseCli(["node", "list"]), { kind: "node-list" });
  assert.deepEqual(parseCli(["node", "stop", "node-1"]), { kind: "node-stop", name: "node-1" });
  assert.equal(badFlags(["node", "stop"]), "gvm node stop needs a node NAME");
  assert.match(badFlags(["--serve", "-c", "math"]), /drop -c/);
});
