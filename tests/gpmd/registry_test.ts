import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { Registry } from "../../lib/gpmd/registry.ts";
import type { NodeEntry } from "../../lib/protocol/messages.ts";
import { compareVersions } from "../../lib/gpmd/versions.ts";
import { isVersion } from "../../lib/names.ts";

const entry = (name: string, port = 4000): NodeEntry => ({
  name,
  id: `id-${name}`,
  host: "127.0.0.1",
  port,
});

Deno.test("`Registry.register()` makes entries visible to lookup, names and size", () => {
  const registry = new Registry<object>();
  assert.equal(registry.size, 0);
  assert.deepEqual(registry.names(), []);
  registry.register(entry("zeta", 1), {});
  registry.register(entry("alpha", 2), {});
  registry.register(entry("mid", 3), {});
  assert.equal(registry.size, 3);
  assert.deepEqual(registry.names(), ["zeta", "alpha", "mid"]);
  assert.deepEqual(registry.lookup("alpha"), entry("alpha", 2));
  assert.deepEqual(registry.lookup("zeta"), entry("zeta", 1));
});

Deno.test("`Registry.register()` refuses a live name with NAME_TAKEN", () => {
  const registry = new Registry<object>();
  registry.register(entry("node-1", 1), {});
  assertGvmError(() => registry.register(entry("node-1", 2), {}), "NAME_TAKEN", "node-1");
  assert.equal(registry.size, 1);
  assert.equal(registry.lookup("node-1").port, 1);
});

Deno.test("`Registry.register()` refuses a second node from the same owner", () => {
  const registry = new Registry<object>();
  const owner = {};
  registry.register(entry("first"), owner);
  assertGvmError(
    () => registry.register(entry("second"), owner),
    "PROTOCOL_ERROR",
    "already registered",
  );
  assert.deepEqual(registry.names(), ["first"]);
  assertGvmError(() => registry.lookup("second"), "NODE_NOT_FOUND");
});

Deno.test("`Registry.unregisterOwner()` frees the name for reuse", () => {
  const registry = new Registry<object>();
  const owner = {};
  const other = {};
  registry.register(entry("node-1", 1), owner);
  registry.register(entry("node-2", 2), other);
  assert.deepEqual(registry.unregisterOwner(owner), entry("node-1", 1));
  assert.deepEqual(registry.names(), ["node-2"]);
  assertGvmError(() => registry.lookup("node-1"), "NODE_NOT_FOUND");

  const newcomer = {};
  registry.register(entry("node-1", 9), newcomer);
  assert.equal(registry.lookup("node-1").port, 9);
  assert.deepEqual(registry.names(), ["node-2", "node-1"]);
});

Deno.test("`Registry.unregisterOwner()` lets the same owner register again", () => {
  const registry = new Registry<string>();
  registry.register(entry("a"), "conn-1");
  registry.unregisterOwner("conn-1");
  registry.register(entry("b"), "conn-1");
  assert.deepEqual(registry.names(), ["b"]);
});

Deno.test("`Registry.unregisterOwner()` returns undefined for an unknown owner", () => {
  const registry = new Registry<object>();
  registry.register(entry("kept"), {});
  assert.equal(registry.unregisterOwner({}), undefined);
  assert.deepEqual(registry.names(), ["kept"]);
  assert.equal(registry.size, 1);
});

Deno.test("`Registry.lookup()` of an unknown name throws NODE_NOT_FOUND", () => {
  const registry = new Registry<object>();
  assertGvmError(() => registry.lookup("ghost"), "NODE_NOT_FOUND", "ghost");
});

Deno.test("`compareVersions()` compares numeric parts as numbers", () => {
  assert.equal(compareVersions("v0.2.0", "v0.10.0"), -1);
  assert.equal(compareVersions("v0.10.0", "v0.2.0"), 1);
  assert.deepEqual(
    ["v0.10.0", "v1.0.0", "v0.2.0", "v0.9.9"].sort(compareVersions),
    ["v0.2.0", "v0.9.9", "v0.10.0", "v1.0.0"],
  );
});

Deno.test("`compareVersions()` sorts a pre-release before its release", () => {
  assert.equal(compareVersions("1.0.0-rc.1", "1.0.0"), -1);
  assert.equal(compareVersions("1.0.0", "1.0.0-rc.1"), 1);
  assert.equal(compareVersions("1.0.0-alpha", "1.0.0-beta"), -1);
  assert.equal(compareVersions("1.0.0-rc.1", "0.9.0"), 1);
});

Deno.test("`compareVersions()` treats missing parts and the v prefix as equal", () => {
  assert.equal(compareVersions("v1", "1.0.0"), 0);
  assert.equal(compareVersions("1.0.0", "v1"), 0);
  assert.equal(compareVersions("v1.2", "1.2.0"), 0);
  assert.equal(compareVersions("v1.2.3", "v1.2.3"), 0);
});

Deno.test("`isVersion()` accepts semver-like versions", () => {
  for (const version of ["v0.0.1", "1.2.3-rc.1", "1", "v1.2", "10.20.30", "1.0.0-beta-2"]) {
    assert.equal(isVersion(version), true, version);
  }
});

Deno.test("`isVersion()` rejects names and malformed versions", () => {
  for (const version of ["latest", "1..2", "", "v", "1.2.3.4", "1.2.3-", "v1.x", " 1.0.0"]) {
    assert.equal(isVersion(version), false, JSON.stringify(version));
  }
});

Deno.test("`compareVersions()` orders pre-release identifiers the semver way", () => {
  assert.deepEqual(
    ["1.0.0", "1.0.0-rc.10", "1.0.0-alpha", "1.0.0-rc.2", "1.0.0-rc"].sort(compareVersions),
    ["1.0.0-alpha", "1.0.0-rc", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0"],
  );
});
