// The WASI calls that touch a mapped folder, each family on its own against a bare WasiState:
// confined path resolution, path and directory calls, exact times. Needs --allow-read/write.
import assert from "node:assert/strict";
import { dirReadCalls } from "../../../lib/wasm/wasi/dir_read.ts";
import { Errno } from "../../../lib/wasm/wasi/errno.ts";
import { pathCalls } from "../../../lib/wasm/wasi/path_calls.ts";
import { resolvePath } from "../../../lib/wasm/wasi/path_resolve.ts";
import { FstFlags, setTimes } from "../../../lib/wasm/wasi/set_times.ts";
import { sandboxDirs } from "./_guest.ts";
import { errnoOfCall, state } from "./_state.ts";

Deno.test("`resolvePath()` stays inside the folder; `pathCalls()` and `dirReadCalls()` work in it", async () => {
  await using dirs = await sandboxDirs();
  const { s, view, bytes } = state(dirs.root);
  const dir = s.fds.dir(3, 0n);
  Deno.mkdirSync(`${dirs.root}/a`);
  assert.equal(resolvePath(dir, "a/../b", false).host, `${dirs.root}/b`);
  for (const path of ["../outside/secret.txt", "/etc/passwd", "a/../../x"]) {
    assert.equal(errnoOfCall(() => resolvePath(dir, path, true)), Errno.NOTCAPABLE, path);
  }
  assert.equal(errnoOfCall(() => resolvePath(dir, "", true)), Errno.NOENT);

  const name = new TextEncoder().encode("sub");
  bytes.set(name, 100);
  assert.equal(pathCalls(s).path_create_directory(3, 100, name.length), Errno.SUCCESS);
  assert.ok(Deno.statSync(`${dirs.root}/sub`).isDirectory);
  assert.equal(dirReadCalls(s).fd_readdir(3, 1000, 4096, 0n, 96), Errno.SUCCESS);
  const used = view.getUint32(96, true);
  const listing = new TextDecoder().decode(bytes.subarray(1000, 1000 + used));
  assert.ok(listing.includes("sub"));
});

Deno.test("`setTimes()` sets exact nanoseconds and refuses contradicting flags", async () => {
  await using dirs = await sandboxDirs();
  const { s } = state(dirs.root);
  const file = `${dirs.root}/t.txt`;
  Deno.writeTextFileSync(file, "x");
  const mtim = 1_700_000_000_123_456_789n;
  setTimes(s, file, 0n, mtim, FstFlags.MTIM);
  assert.equal(s.times.of(Deno.statSync(file)).mtim, mtim);
  assert.equal(
    errnoOfCall(() => setTimes(s, file, 0n, 0n, FstFlags.MTIM | FstFlags.MTIM_NOW)),
    Errno.INVAL,
  );
});
