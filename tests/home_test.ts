import assert from "node:assert/strict";
import { ensureHome, homePaths } from "../lib/home.ts";

Deno.test("`homePaths()` puts every file under the given root", () => {
  assert.deepEqual(homePaths("/h"), {
    root: "/h",
    cookie: "/h/cookie",
    pidFile: "/h/gpmd.pid",
    logFile: "/h/gpmd.log",
    history: "/h/history",
    nodesDir: "/h/nodes",
    modulesDir: "/h/modules",
    modulesIndex: "/h/ghost.modules.json",
  });
});

Deno.test({
  name: "`homePaths()` without a root reads GHOST_HOME",
  permissions: { env: ["GHOST_HOME", "HOME", "USERPROFILE"] },
  fn() {
    const before = Deno.env.get("GHOST_HOME");
    try {
      Deno.env.set("GHOST_HOME", "/from/env");
      assert.equal(homePaths().cookie, "/from/env/cookie");
      Deno.env.delete("GHOST_HOME");
      assert.match(homePaths().root, /\/\.ghost-network$/);
    } finally {
      if (before === undefined) Deno.env.delete("GHOST_HOME");
      else Deno.env.set("GHOST_HOME", before);
    }
  },
});

Deno.test("`ensureHome()` makes the folder private to the user, and is idempotent", async () => {
  const parent = await Deno.makeTempDir({ prefix: "gvm-home-test-" });
  try {
    const home = homePaths(`${parent}/a/b`);
    await ensureHome(home);
    await ensureHome(home);
    const info = await Deno.stat(home.root);
    assert.ok(info.isDirectory);
    if (info.mode !== null) assert.equal(info.mode & 0o077, 0);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
