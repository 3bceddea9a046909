import assert from "node:assert/strict";
import { loadCookie } from "../lib/cookie.ts";
import { homePaths } from "../lib/home.ts";
import { assertRejectsGvmError } from "./_assert.ts";

async function withHome(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gvm-cookie-test-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`loadCookie()` creates a private 48-hex-digit cookie once and then reads it back", () =>
  withHome(async (root) => {
    const home = homePaths(`${root}/home`);
    const first = await loadCookie(home);
    assert.match(first, /^[0-9a-f]{48}$/);
    assert.equal(await loadCookie(home), first);
    const info = await Deno.stat(home.cookie);
    if (info.mode !== null) assert.equal(info.mode & 0o777, 0o600);
  }));

Deno.test("`loadCookie()` reads a cookie it did not write, trimmed", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.writeTextFile(home.cookie, "  shared-secret \n", { mode: 0o600 });
    assert.equal(await loadCookie(home), "shared-secret");
  }));

Deno.test("`loadCookie()` refuses a cookie others may read, with COOKIE_ERROR and the fix", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.writeTextFile(home.cookie, "secret\n");
    await Deno.chmod(home.cookie, 0o644);
    await assertRejectsGvmError(loadCookie(home), "COOKIE_ERROR", "mode 644", "chmod 600");
  }));

Deno.test("`loadCookie()` refuses an empty cookie with COOKIE_ERROR", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.writeTextFile(home.cookie, " \n", { mode: 0o600 });
    await assertRejectsGvmError(loadCookie(home), "COOKIE_ERROR", "is empty");
  }));

Deno.test("`loadCookie()` reports a cookie path it cannot create with COOKIE_ERROR", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await assertRejectsGvmError(
      loadCookie({ ...home, cookie: `${root}/missing/cookie` }),
      "COOKIE_ERROR",
      "Cannot create",
    );
  }));
