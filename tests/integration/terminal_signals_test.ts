// Job control and signals at the prompt, in a real terminal with a real shell (bash in tmux on a
// private server): Ctrl-Z and fg, SIGSTOP/SIGCONT, SIGTERM; run directly and under `deno task`.
import assert from "node:assert/strict";
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";
import { MODULES_DIR, tempHome, TestGpmd } from "./_harness.ts";
import { shellCommand, TmuxSession } from "./_tmux.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const PROMPT = /\(node-[a-z]+\) >$/m;
/**
 * A screen that `clear` has wiped, holding only the shell's prompt. Not `/^\$ ?$/m`: the screen
 * before `clear` ran also ends in a `$` line (under "Stopped"), and above it the node's prompt
 * from before the stop, which the next wait for PROMPT would then take for the redrawn one.
 */
const CLEARED = /^\$ ?\s*$/;

/** An interactive bash in tmux, in the repository, with GHOST_HOME set. */
async function shell(home: string): Promise<TmuxSession> {
  const bash = shellCommand(["env", `GHOST_HOME=${home}`, "NO_COLOR=1", "PS1=$ "]);
  const session = await TmuxSession.open(`cd '${ROOT}' && ${bash} bash --norc --noprofile -i`);
  await session.waitFor(/^\$ ?$/m);
  return session;
}

/** The command line that starts a node named `name`: plain `deno run`, or `deno task gvm`. */
function gvmCommand(how: "run" | "task", gpmd: string, name: string): string {
  const flags = ["--gpmd", gpmd, "--modules", MODULES_DIR, "--name", name];
  return how === "task"
    ? shellCommand([Deno.execPath(), "task", "gvm", ...flags])
    : shellCommand([Deno.execPath(), "run", ...RUN_PERMISSIONS, "main.ts", ...flags]);
}

/** The pid of the node named `name` (its own process, not the task runner). */
async function nodePid(name: string): Promise<number> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", `main\\.ts .*--name ${name}$`],
    stdout: "piped",
  }).output();
  const pids = new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean);
  assert.equal(pids.length, 1, `node ${name}: pids ${pids}`);
  return Number(pids[0]);
}

/** Asserts the prompt reads keys again: a call, its result, and Ctrl-C on an empty line. */
async function assertPromptWorks(term: TmuxSession, name: string): Promise<void> {
  await term.keys("math.mul(6,7)", "Enter");
  const screen = await term.waitFor(
    new RegExp(`> math\\.mul\\(6,7\\)\\n42\\n\\(${name}\\) >$`, "m"),
  );
  // Echoed once: by the prompt, not also by a terminal left in cooked mode.
  assert.equal(screen.split("math.mul(6,7)").length, 2, screen);
  await term.keys("C-c");
  await term.waitFor(/To exit, type exit or press Ctrl-D\)\n\(node-[a-z]+\) >$/m);
  await nodePid(name); // Still alive.
}

for (const how of ["run", "task"] as const) {
  Deno.test(`Ctrl-Z stops the node (deno ${how}); fg gives the prompt its keyboard back`, async () => {
    await using home = await tempHome();
    await using gpmd = await TestGpmd.start(home.path);
    await using term = await shell(home.path);
    const name = `node-z${how}`;
    await term.keys(gvmCommand(how, gpmd.address, name), "Enter");
    await term.waitFor(PROMPT);
    await term.keys("C-z");
    // The shell has its terminal back: the whole job stopped, task runner included.
    await term.waitFor(/Stopped[^$]*\n\$ ?$/m);
    await term.keys("clear", "Enter");
    await term.waitFor(CLEARED);
    await term.keys("fg", "Enter");
    await term.waitFor(PROMPT);
    await assertPromptWorks(term, name);
    await term.keys("exit", "Enter");
    await term.waitFor(/Goodbye :\(\n\$ ?$/m);
  });
}

Deno.test("after SIGSTOP, SIGCONT and fg, no line is echoed twice and Ctrl-C does not kill", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await shell(home.path);
  const name = "node-stop";
  await term.keys(gvmCommand("run", gpmd.address, name), "Enter");
  await term.waitFor(PROMPT);
  Deno.kill(await nodePid(name), "SIGSTOP");
  await term.waitFor(/Stopped[^$]*\n\$ ?$/m);
  await term.keys("clear", "Enter");
  await term.waitFor(CLEARED);
  await term.keys("fg", "Enter");
  await term.waitFor(PROMPT);
  await assertPromptWorks(term, name);
});

Deno.test("SIGTERM at the prompt restores the terminal before the node exits", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  // Not under bash, whose line editor would reset the terminal itself: stty runs right after.
  const name = "node-term";
  const env = shellCommand(["env", `GHOST_HOME=${home.path}`, "NO_COLOR=1"]);
  const after = "echo status=$?; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)'";
  await using term = await TmuxSession.open(
    `cd '${ROOT}' && ${env} ${gvmCommand("run", gpmd.address, name)}; ${after}; sleep 30`,
  );
  await term.waitFor(PROMPT);
  await term.keys("math.a");
  await term.waitFor(/> math\.a$/m);
  Deno.kill(await nodePid(name), "SIGTERM");
  // Cooked mode again (canonical input, echo on), and the exit status a shell expects.
  await term.waitFor(/^status=143\nicanon\necho$/m);
});
