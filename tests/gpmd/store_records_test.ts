import assert from "node:assert/strict";
import {
  backfillRecords,
  isContentFileName,
  rebuildIndex,
  removeRecord,
  type StoredVersion,
  writeRecord,
} from "../../lib/gpmd/store_records.ts";
import { sha256Hex } from "../../lib/hash.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gvm-records-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Stores `bytes` as a content file in `dir`; its entry. */
async function content(dir: string, bytes: Uint8Array): Promise<StoredVersion> {
  const sha256 = await sha256Hex(bytes);
  await Deno.writeFile(`${dir}/${sha256}.wasm`, bytes);
  return { file: `${sha256}.wasm`, sha256, size: bytes.length, uploadedAt: "2026-01-01T00:00:00Z" };
}

Deno.test("`isContentFileName()` is a 64-hex-digit sha256 then .wasm", () => {
  assert.ok(isContentFileName(`${"a".repeat(64)}.wasm`));
  assert.ok(!isContentFileName(`${"A".repeat(64)}.wasm`));
  assert.ok(!isContentFileName(`${"a".repeat(63)}.wasm`));
  assert.ok(!isContentFileName(`${"a".repeat(64)}.wat`));
  assert.ok(!isContentFileName("math.wasm"));
});

Deno.test("`rebuildIndex()` rebuilds the index from the records", () =>
  withDir(async (dir) => {
    const one = await content(dir, new Uint8Array([1]));
    const two = await content(dir, new Uint8Array([2]));
    await writeRecord(dir, "math", "v1", one);
    await writeRecord(dir, "math", "v2", two);
    await writeRecord(dir, "other", "1.0.0", one);
    const rebuilt = await rebuildIndex(dir);
    assert.deepEqual(rebuilt, {
      index: { math: { v1: one, v2: two }, other: { "1.0.0": one } },
      versions: 3,
      problems: [],
      unnamed: 0,
    });
    await removeRecord(dir, "math", "v2");
    await removeRecord(dir, "math", "v9"); // Missing: no error.
    assert.deepEqual(Object.keys((await rebuildIndex(dir)).index.math), ["v1"]);
  }));

Deno.test("`rebuildIndex()` leaves out records whose content is missing or altered", () =>
  withDir(async (dir) => {
    const one = await content(dir, new Uint8Array([1]));
    const two = await content(dir, new Uint8Array([2]));
    await writeRecord(dir, "math", "v1", one);
    await writeRecord(dir, "math", "v2", two);
    await Deno.writeFile(`${dir}/${two.file}`, new Uint8Array([3])); // Altered on disk.
    await Deno.remove(`${dir}/${one.file}`);
    const rebuilt = await rebuildIndex(dir);
    assert.deepEqual(rebuilt.index, {});
    assert.equal(rebuilt.versions, 0);
    assert.deepEqual(rebuilt.problems, [
      `math v1: ${one.file} is missing or does not match its hash; left out`,
      `math v2: ${two.file} is missing or does not match its hash; left out`,
    ]);
  }));

Deno.test("`rebuildIndex()` reports unreadable or mismatched records and counts unnamed content", () =>
  withDir(async (dir) => {
    const one = await content(dir, new Uint8Array([1]));
    await content(dir, new Uint8Array([9])); // No record names it.
    await writeRecord(dir, "math", "v1", one);
    await Deno.writeTextFile(`${dir}/versions/broken@v1.json`, "{not json");
    // A record whose file name disagrees with its fields.
    await Deno.writeTextFile(
      `${dir}/versions/evil@v1.json`,
      JSON.stringify({ name: "math", version: "v1", ...one }),
    );
    await Deno.writeTextFile(`${dir}/versions/notes.txt`, "ignored");
    const rebuilt = await rebuildIndex(dir);
    assert.deepEqual(rebuilt.index, { math: { v1: one } });
    assert.equal(rebuilt.unnamed, 1);
    assert.equal(rebuilt.problems.length, 2);
    assert.match(rebuilt.problems[0], /^record broken@v1\.json is unreadable/);
    assert.match(rebuilt.problems[1], /^record evil@v1\.json is unreadable \(fields missing/);
  }));

Deno.test("`rebuildIndex()` of a store without records is empty; of no folder, throws", () =>
  withDir(async (dir) => {
    assert.deepEqual(await rebuildIndex(dir), { index: {}, versions: 0, problems: [], unnamed: 0 });
    await assert.rejects(rebuildIndex(`${dir}/missing`), Deno.errors.NotFound);
  }));

Deno.test("`writeRecord()` refuses a name or version that would leave the folder", () =>
  withDir(async (dir) => {
    const one = await content(dir, new Uint8Array([1]));
    await assert.rejects(writeRecord(dir, "../x", "v1", one), /not a valid module name/);
    await assert.rejects(writeRecord(dir, "math", "../v1", one), /not a valid module name/);
  }));

Deno.test("`backfillRecords()` writes the missing records of an older index, and skips bad names", () =>
  withDir(async (dir) => {
    const one = await content(dir, new Uint8Array([1]));
    const two = await content(dir, new Uint8Array([2]));
    await writeRecord(dir, "math", "v1", one);
    const before = await Deno.readTextFile(`${dir}/versions/math@v1.json`);
    await backfillRecords(dir, { math: { v1: two, v2: two }, "../evil": { v1: one } });
    // An existing record is kept as it is.
    assert.equal(await Deno.readTextFile(`${dir}/versions/math@v1.json`), before);
    assert.deepEqual((await rebuildIndex(dir)).index, { math: { v1: one, v2: two } });
  }));
