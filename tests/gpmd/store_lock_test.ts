import assert from "node:assert/strict";
import { StoreLock } from "../../lib/gpmd/store_lock.ts";
import { homePaths } from "../../lib/home.ts";
import { assertGvmError } from "../_assert.ts";

async function withHome(fn: (root: string) => Promise<void> | void): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gvm-lock-test-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`StoreLock.acquire()` refuses a second holder, naming the first one's pid and port", () =>
  withHome((root) => {
    const home = homePaths(`${root}/home`);
    using first = StoreLock.acquire(home);
    assertGvmError(() => StoreLock.acquire(home), "IO_ERROR", `pid ${Deno.pid}, still starting`);
    first.announce("127.0.0.1", 6001);
    assertGvmError(
      () => StoreLock.acquire(home),
      "IO_ERROR",
      `Another GPMD (pid ${Deno.pid}, port 6001) already uses the module store in ${home.root}`,
      "give this one its own GHOST_HOME",
    );
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${home.root}/gpmd.lock`)), {
      pid: Deno.pid,
      hostname: "127.0.0.1",
      port: 6001,
    });
  }));

Deno.test("`StoreLock.release()` lets the next one take it, and is idempotent", () =>
  withHome((root) => {
    const home = homePaths(root);
    const first = StoreLock.acquire(home);
    first.release();
    first.release();
    using second = StoreLock.acquire(home);
    assert.ok(second);
  }));

Deno.test("`StoreLock.acquire()` reports a lock file it cannot open with IO_ERROR", () =>
  withHome((root) => {
    Deno.mkdirSync(`${root}/gpmd.lock`); // A folder where the lock file goes.
    assertGvmError(() => StoreLock.acquire(homePaths(root)), "IO_ERROR", "Cannot open");
  }));

Deno.test("`StoreLock.acquire()` says the pid is unknown when the holder's file is unreadable", () =>
  withHome((root) => {
    const home = homePaths(root);
    using _held = StoreLock.acquire(home);
    Deno.writeTextFileSync(`${root}/gpmd.lock`, "garbage");
    assertGvmError(() => StoreLock.acquire(home), "IO_ERROR", "its pid is unknown");
  }));
