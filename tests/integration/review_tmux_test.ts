// Defects found by trying the prompt in a real terminal (tmux on a private server).
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { FIXTURES_DIR, tempHome, TestGpmd } from "./_harness.ts";
import { shellCommand, TmuxSession } from "./_tmux.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

async function pgrep(args: string[]): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args, stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean).map(Number);
}

Deno.test("SIGTERM while a call runs at the prompt exits 143, with no INTERNAL error", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const name = `node-rv${crypto.randomUUID().slice(0, 6)}`;
  const env = shellCommand(["env", `GHOST_HOME=${home.path}`, "NO_COLOR=1"]);
  const gvm = shellCommand([
    Deno.execPath(),
    "run",
    ...RUN_PERMISSIONS,
    "main.ts",
    "--gpmd",
    gpmd.address,
    "--modules",
    FIXTURES_DIR,
    "--name",
    name,
  ]);
  await using term = await TmuxSession.open(
    `cd '${ROOT}' && ${env} ${gvm}; echo status=$?; sleep 30`,
  );
  await term.waitFor(new RegExp(`\\(${name}\\) >$`, "m"));
  await term.keys("spin.announce()", "Enter");
  await term.waitFor(/^spinning$/m);
  const [pid] = await pgrep(["-f", `main\\.ts .*--name ${name}$`]);
  Deno.kill(pid, "SIGTERM");
  const screen = await term.waitFor(/^status=\d+$/m);
  assert.doesNotMatch(screen, /INTERNAL/);
  assert.match(screen, /^status=143$/m);
});
