// `deno task install` puts a working `gvm` on the PATH from source, with no network.
import assert from "node:assert/strict";
import { MODULES_DIR, tempHome, TestGpmd } from "./_harness.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("deno task install makes a gvm command that runs from any folder", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const root = `${home.path}/install-root`;
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["task", "install"],
    cwd: ROOT,
    env: { DENO_INSTALL_ROOT: root },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(install.success, new TextDecoder().decode(install.stderr));
  const gvm = `${root}/bin/gvm`;
  const run = (...args: string[]) =>
    new Deno.Command(gvm, {
      args,
      cwd: home.path, // Not the repository: the command must not depend on the cwd.
      env: { GHOST_HOME: home.path, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const version = await run("--version");
  assert.match(new TextDecoder().decode(version.stdout), /^gvm \d+\.\d+\.\d+\n$/);
  const call = await run("--gpmd", gpmd.address, "--modules", MODULES_DIR, "-c", "math.add(1,2)");
  assert.equal(call.code, 0, new TextDecoder().decode(call.stderr));
  assert.match(new TextDecoder().decode(call.stdout), /\n3\n$/);
});
