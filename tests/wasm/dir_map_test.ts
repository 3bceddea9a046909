import assert from "node:assert/strict";
import { assertGvmError } from "../_assert.ts";
import { parseDirMapping } from "../../lib/wasm/dir_map.ts";

Deno.test("parseDirMapping() takes HOST, HOST:GUEST and wasmtime's HOST::GUEST", () => {
  assert.deepEqual(parseDirMapping("./data"), { host: "./data", guest: "./data" });
  assert.deepEqual(parseDirMapping("./data:/data"), { host: "./data", guest: "/data" });
  assert.deepEqual(parseDirMapping("/srv/x::/"), { host: "/srv/x", guest: "/" });
  assertGvmError(() => parseDirMapping(":/data"), "BAD_FLAGS");
  assertGvmError(() => parseDirMapping("data:"), "BAD_FLAGS");
});
