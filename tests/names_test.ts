import assert from "node:assert/strict";
import { assertGvmError } from "./_assert.ts";
import {
  formatHostPort,
  formatNodeRef,
  isAnyAddress,
  isHost,
  isModuleName,
  isNodeName,
  isPort,
  isRemoteNodeName,
  isVersion,
  parseHostPort,
  parseNodeRef,
  reachableFromHere,
} from "../lib/names.ts";
import { DEFAULT_MAX_MEMORY_MIB, memoryPages, WASM_PAGE_BYTES } from "../lib/limits.ts";

Deno.test("`parseNodeRef()` reads short names and name@host[:port], IPv6 in brackets", () => {
  assert.deepEqual(parseNodeRef("node-1"), { name: "node-1", port: 5989, key: "node-1" });
  assert.deepEqual(parseNodeRef("n@10.0.0.2"), {
    name: "n",
    host: "10.0.0.2",
    port: 5989,
    key: "n@10.0.0.2",
  });
  assert.deepEqual(parseNodeRef("n@[::1]:7000"), {
    name: "n",
    host: "::1",
    port: 7000,
    key: "n@[::1]:7000",
  });
});

Deno.test("`parseNodeRef()` rejects an empty name or host, a second @ and a bad port", () => {
  for (const text of ["@h", "n@", "n@:7000", "n@a@b", "n@h:x"]) {
    assertGvmError(() => parseNodeRef(text), "BAD_ARGS", "Cannot read node name");
  }
  assertGvmError(() => parseNodeRef("n@h:0"), "BAD_ARGS", "Bad port");
  assertGvmError(() => parseNodeRef("n@h:70000"), "BAD_ARGS", "Bad port");
});

Deno.test("`parseHostPort()` fills in defaults and strips IPv6 brackets", () => {
  const defaults = { host: "127.0.0.1", port: 5989 };
  assert.deepEqual(parseHostPort("10.0.0.2:7000", defaults, "--x"), {
    host: "10.0.0.2",
    port: 7000,
  });
  assert.deepEqual(parseHostPort(":7000", defaults, "--x"), { host: "127.0.0.1", port: 7000 });
  assert.deepEqual(parseHostPort("h", defaults, "--x"), { host: "h", port: 5989 });
  assert.deepEqual(parseHostPort("[::1]:1", defaults, "--x"), { host: "::1", port: 1 });
  assertGvmError(() => parseHostPort("h:99999", defaults, "--x"), "BAD_FLAGS", "--x");
  assertGvmError(() => parseHostPort("a:b:c", defaults, "--x"), "BAD_FLAGS", "--x");
});

Deno.test("`formatHostPort()` and `formatNodeRef()` bracket IPv6 and omit the default port", () => {
  assert.equal(formatHostPort("::1", 7000), "[::1]:7000");
  assert.equal(formatHostPort("10.0.0.2", 5989, 5989), "10.0.0.2");
  assert.equal(formatNodeRef("n", "10.0.0.2", 5989), "n@10.0.0.2");
  assert.equal(formatNodeRef("n", "fe80::1", 5989), "n@[fe80::1]");
  assert.equal(formatNodeRef("n", "h", 7000), "n@h:7000");
});

Deno.test("name rules: node names, hosts, remote names, module names, versions", () => {
  assert.equal(isNodeName("node-8399"), true);
  assert.equal(isNodeName("a@b"), false);
  assert.equal(isNodeName("x".repeat(65)), false);
  assert.equal(isHost("[::1]:5989"), true);
  assert.equal(isHost("bad host"), false);
  assert.equal(isRemoteNodeName("n@10.0.0.2:7000"), true);
  assert.equal(isRemoteNodeName("@h"), false);
  assert.equal(isModuleName("math_2-x"), true);
  assert.equal(isModuleName("2math"), false);
  assert.equal(isVersion("v1.2.3-rc.1"), true);
  assert.equal(isVersion("latest"), false);
  assert.equal(isAnyAddress("::"), true);
  assert.equal(isAnyAddress("10.0.0.2"), false);
  assert.equal(reachableFromHere("0.0.0.0"), "127.0.0.1");
  assert.equal(reachableFromHere("::"), "::1");
  assert.equal(reachableFromHere("10.0.0.2"), "10.0.0.2");
});

Deno.test("`isPort()` takes 1 to 65535, and 0 only when asked", () => {
  assert.equal(isPort(1), true);
  assert.equal(isPort(65_535), true);
  assert.equal(isPort(0), false);
  assert.equal(isPort(0, { allowZero: true }), true);
  assert.equal(isPort(65_536, { allowZero: true }), false);
  assert.equal(isPort(1.5), false);
});

Deno.test("`memoryPages()` turns MiB into whole wasm pages", () => {
  assert.equal(memoryPages(DEFAULT_MAX_MEMORY_MIB), 4096);
  assert.equal(memoryPages(1), 1024 * 1024 / WASM_PAGE_BYTES);
  assert.equal(memoryPages(0.1), 1);
});
