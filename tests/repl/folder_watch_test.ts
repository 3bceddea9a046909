import assert from "node:assert/strict";
import { watchFolder } from "../../lib/repl/folder_watch.ts";

Deno.test("`watchFolder()` reports a file dropped into the folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { promise, resolve } = Promise.withResolvers<void>();
    using _watch = watchFolder(dir, resolve);
    await Deno.writeFile(`${dir}/new.wasm`, new Uint8Array([0, 97, 115, 109]));
    await promise;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`watchFolder()` on a missing folder does nothing and does not throw", () => {
  let called = false;
  using _watch = watchFolder("/nonexistent/gvm-folder", () => called = true);
  assert.equal(called, false);
});
