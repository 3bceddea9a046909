import assert from "node:assert/strict";
import { parseHostPort } from "../lib/names.ts";
import { assertGvmError } from "./_assert.ts";

const DEFAULTS = { host: "127.0.0.1", port: 5989 };

Deno.test("`parseHostPort()` fills in the default host or port, whichever is missing", () => {
  assert.deepEqual(parseHostPort("10.0.0.2:7000", DEFAULTS, "--gpmd"), {
    host: "10.0.0.2",
    port: 7000,
  });
  assert.deepEqual(parseHostPort("box", DEFAULTS, "--gpmd"), { host: "box", port: 5989 });
  assert.deepEqual(parseHostPort(":0", DEFAULTS, "--gpmd"), { host: "127.0.0.1", port: 0 });
  assert.deepEqual(parseHostPort("", DEFAULTS, "--gpmd"), DEFAULTS);
  assert.deepEqual(parseHostPort("  box:1  ", DEFAULTS, "--gpmd"), { host: "box", port: 1 });
});

Deno.test("`parseHostPort()` takes IPv6 in brackets and drops the brackets", () => {
  assert.deepEqual(parseHostPort("[::1]:6000", DEFAULTS, "--gpmd"), { host: "::1", port: 6000 });
  assert.deepEqual(parseHostPort("[fe80::2]", DEFAULTS, "--gpmd"), { host: "fe80::2", port: 5989 });
});

Deno.test("`parseHostPort()` rejects a port past 65535, a bad port and bare IPv6 with BAD_FLAGS", () => {
  assertGvmError(
    () => parseHostPort("h:65536", DEFAULTS, "--gpmd"),
    "BAD_FLAGS",
    "--gpmd",
    "h:65536",
  );
  assert.deepEqual(parseHostPort("h:65535", DEFAULTS, "--gpmd"), { host: "h", port: 65535 });
  assertGvmError(() => parseHostPort("h:x", DEFAULTS, "--listen"), "BAD_FLAGS", "--listen");
  assertGvmError(() => parseHostPort("::1", DEFAULTS, "--gpmd"), "BAD_FLAGS");
  assertGvmError(() => parseHostPort("h:-1", DEFAULTS, "--gpmd"), "BAD_FLAGS");
});
