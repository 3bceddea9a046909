import assert from "node:assert/strict";
import {
  formatNodeRef as hostLabel,
  isHost,
  isLoopback,
  isNodeId,
  isNodeName,
  isRemoteNodeName,
  parseNodeRef,
} from "../../lib/names.ts";
import { assertGvmError } from "../_assert.ts";

Deno.test("`parseNodeRef()` reads a local name, name@host and name@host:port", () => {
  assert.deepEqual(parseNodeRef("node-1"), { name: "node-1", port: 5989, key: "node-1" });
  assert.deepEqual(parseNodeRef("node-1@10.0.0.2"), {
    name: "node-1",
    host: "10.0.0.2",
    port: 5989,
    key: "node-1@10.0.0.2",
  });
  // The default port is left out of the key, so both spellings name one node.
  assert.equal(parseNodeRef("node-1@10.0.0.2:5989").key, "node-1@10.0.0.2");
  assert.deepEqual(parseNodeRef("n@box:7000"), {
    name: "n",
    host: "box",
    port: 7000,
    key: "n@box:7000",
  });
});

Deno.test("`parseNodeRef()` takes IPv6 in brackets and keys it with brackets", () => {
  assert.deepEqual(parseNodeRef("n@[::1]:7000"), {
    name: "n",
    host: "::1",
    port: 7000,
    key: "n@[::1]:7000",
  });
  assert.equal(parseNodeRef("n@[fe80::1]").key, "n@[fe80::1]");
});

Deno.test("`parseNodeRef()` rejects an empty name, an empty or bare-IPv6 host, and bad ports", () => {
  assertGvmError(() => parseNodeRef("@host"), "BAD_ARGS", "use name or name@host[:port]");
  assertGvmError(() => parseNodeRef("n@"), "BAD_ARGS", "Cannot read node name 'n@'");
  assertGvmError(() => parseNodeRef("n@::1"), "BAD_ARGS");
  assertGvmError(() => parseNodeRef("n@h@i"), "BAD_ARGS");
  assertGvmError(() => parseNodeRef("n@h:0"), "BAD_ARGS", "Bad port in 'n@h:0'");
  assertGvmError(() => parseNodeRef("n@h:65536"), "BAD_ARGS", "Bad port");
  assertGvmError(() => parseNodeRef("n@h:x"), "BAD_ARGS");
});

Deno.test("`hostLabel()` brackets IPv6 and shows the port only off the default", () => {
  assert.equal(hostLabel("n", "10.0.0.2", 5989), "n@10.0.0.2");
  assert.equal(hostLabel("n", "10.0.0.2", 6000), "n@10.0.0.2:6000");
  assert.equal(hostLabel("n", "::1", 6000), "n@[::1]:6000");
});

Deno.test("`isLoopback()` knows localhost, 127/8 and ::1", () => {
  for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1"]) assert.ok(isLoopback(host));
  for (const host of ["10.0.0.1", "0.0.0.0", "::", "localhost.example"]) {
    assert.ok(!isLoopback(host), host);
  }
});

Deno.test("`isNodeName()` is 1 to 64 letters, digits, '_', '.' or '-'", () => {
  assert.ok(isNodeName("node-1.a_b"));
  assert.ok(isNodeName("x".repeat(64)));
  for (const bad of ["", "x".repeat(65), "a b", "a@b", "a\nb", "é", 7, undefined]) {
    assert.ok(!isNodeName(bad), String(bad));
  }
});

Deno.test("`isRemoteNodeName()` is a node name, '@' and a host with an optional port", () => {
  for (const good of ["n@h", "n@10.0.0.2:6000", "n@[::1]:7", "n@[fe80::1]"]) {
    assert.ok(isRemoteNodeName(good), good);
  }
  for (const bad of ["n", "@h", "n@", "a b@h", "n@h:123456", "n@h h", "n@::1", 1]) {
    assert.ok(!isRemoteNodeName(bad), String(bad));
  }
});

Deno.test("`isNodeId()` and `isHost()` accept what nodes register with, nothing more", () => {
  assert.ok(isNodeId(crypto.randomUUID()));
  assert.ok(!isNodeId(""));
  assert.ok(!isNodeId("x".repeat(10)));
  assert.ok(!isNodeId("a".repeat(65)));
  assert.ok(isHost("10.0.0.2") && isHost("box.example") && isHost("[::1]") && isHost("h:80"));
  assert.ok(!isHost("") && !isHost("a b") && !isHost("h/x") && !isHost("::1") && !isHost(null));
});
