import assert from "node:assert/strict";
import { RUN_PERMISSIONS, selfCommand } from "../../lib/cli/self_command.ts";

Deno.test({
  name: "`selfCommand()` from source is `deno run` of the main module with gvm's permissions",
  permissions: { read: true },
  fn() {
    const [exe, ...rest] = selfCommand(["gpmd", "start"]);
    assert.equal(exe, Deno.execPath());
    assert.deepEqual(rest, ["run", ...RUN_PERMISSIONS, Deno.mainModule, "gpmd", "start"]);
  },
});

Deno.test("`RUN_PERMISSIONS` are the five that `deno task gvm` grants, in its order", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assert.ok(config.tasks.gvm.includes(RUN_PERMISSIONS.join(" ")), config.tasks.gvm);
});
