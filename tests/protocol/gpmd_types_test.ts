import assert from "node:assert/strict";
import { parseGpmdAddress } from "../../lib/gpmd/client.ts";
import { ModuleStore } from "../../lib/gpmd/store.ts";
import { homePaths } from "../../lib/home.ts";
import type { GpmdAddress, StoredModule } from "../../lib/protocol/gpmd_types.ts";

// The shared shapes are types only: these pin that both sides produce them as declared.

Deno.test("`parseGpmdAddress()` gives a GpmdAddress: host and port", () => {
  const address: GpmdAddress = parseGpmdAddress("10.0.0.2:7000");
  assert.deepEqual(address, { host: "10.0.0.2", port: 7000 });
});

Deno.test("the store hands out a StoredModule: name, version, sha256 and the body", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-gpmd-types-test-" });
  try {
    const store = await ModuleStore.open(homePaths(root));
    // The smallest valid module: magic and version.
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await store.put("tiny", "v1.0.0", bytes);
    const stored: StoredModule = await store.get("tiny");
    assert.deepEqual(Object.keys(stored).sort(), ["bytes", "name", "sha256", "version"]);
    assert.equal(stored.version, "v1.0.0");
    assert.deepEqual(stored.bytes, bytes);
    assert.match(stored.sha256, /^[0-9a-f]{64}$/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
