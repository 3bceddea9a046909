import assert from "node:assert/strict";
import { isTemporaryName, writeFileDurably } from "../../lib/gpmd/durable_file.ts";

Deno.test("`writeFileDurably()` replaces a file whole and leaves no temporary beside it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gvm-durable-test-" });
  try {
    const path = `${dir}/index.json`;
    await writeFileDurably(path, new TextEncoder().encode("first"));
    using reader = await Deno.open(path); // Opened before the rewrite: keeps the old bytes.
    await writeFileDurably(path, new TextEncoder().encode("second, longer"));
    assert.equal(await Deno.readTextFile(path), "second, longer");
    const old = new Uint8Array(16);
    const n = await reader.read(old);
    assert.equal(new TextDecoder().decode(old.subarray(0, n ?? 0)), "first");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assert.deepEqual(names, ["index.json"]);
    const info = await Deno.stat(path);
    if (info.mode !== null) assert.equal(info.mode & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`writeFileDurably()` that cannot rename removes its temporary and throws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gvm-durable-test-" });
  try {
    // A non-empty folder where the file goes: the rename fails.
    await Deno.mkdir(`${dir}/taken/inner`, { recursive: true });
    await assert.rejects(writeFileDurably(`${dir}/taken`, new Uint8Array([1])));
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assert.deepEqual(names, ["taken"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`isTemporaryName()` knows the temporaries it leaves after a crash, and nothing else", () => {
  assert.ok(isTemporaryName(`index.json.tmp-${crypto.randomUUID()}`));
  assert.ok(!isTemporaryName("index.json"));
  assert.ok(!isTemporaryName("index.json.tmp-1234"));
  assert.ok(!isTemporaryName(`index.json.tmp-${crypto.randomUUID()}.bak`));
});
