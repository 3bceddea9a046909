// Drives the interactive prompt in a real terminal (tmux): history with Up, Tab completion,
// Ctrl-C on an empty line, Ctrl-D.
import assert from "node:assert/strict";
import { FIXTURES_DIR, MODULES_DIR, tempHome, TestGpmd, TestNode } from "./_harness.ts";
import { TmuxSession } from "./_tmux.ts";

class Terminal extends TmuxSession {
  /** A node named node-5651 on `gpmd`, straight in the window (no shell). */
  static async node(home: string, gpmd: string, modules = MODULES_DIR): Promise<Terminal> {
    const flags = ["--gpmd", gpmd, "--modules", modules, "--name", "node-5651"];
    const session = await TmuxSession.gvm(home, flags);
    return new Terminal(session.session);
  }
}

Deno.test("the terminal prompt: history, Tab completion, Ctrl-C and Ctrl-D", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  {
    await using term = await Terminal.node(home.path, gpmd.address);
    await term.waitFor(/\(node-5651\) >$/m);
    await term.keys("math.add(1,2)", "Enter");
    await term.waitFor(/Adding Numbers From Wasm\.\.\.\n\n3\n\(node-5651\) >$/m);

    await term.keys("Up");
    await term.waitFor(/\(node-5651\) > math\.add\(1,2\)$/m);
    await term.keys("C-u");

    // Keys sent in one burst reach readline as a paste, where Tab is text; so one key a step.
    await term.keys("ty");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > types$/m);
    await term.keys(".ad");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > types\.add$/m);
    await term.keys("Tab");
    await term.waitFor(/types\.add64\(\s+types\.addf32\(/);
    await term.keys("C-u");
    await term.keys("Node.discov");
    await term.keys("Tab");
    await term.waitFor(/\(node-5651\) > Node\.discover\($/m);
    await term.keys(")", "Enter");
    await term.waitFor(/^node-5651$/m);

    await term.keys("C-c");
    await term.waitFor(/To exit, type exit or press Ctrl-D/);
    await term.keys("math.mul(6,7)", "Enter");
    await term.waitFor(/^42$/m);
    await term.keys("C-d");
    await term.waitFor(/Goodbye :\(/);
  }
  const history = await Deno.readTextFile(`${home.path}/history`);
  assert.equal(history, "math.add(1,2)\nNode.discover()\nmath.mul(6,7)\n");
  {
    // History survives a restart.
    await using term = await Terminal.node(home.path, gpmd.address);
    await term.waitFor(/\(node-5651\) >$/m);
    await term.keys("Up");
    await term.waitFor(/\(node-5651\) > math\.mul\(6,7\)$/m);
    await term.keys("C-u", "exit", "Enter");
    await term.waitFor(/Goodbye :\(/);
  }
});

Deno.test("Ctrl-C at the prompt cancels the running call and the prompt goes on", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await Terminal.node(home.path, gpmd.address, FIXTURES_DIR);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys("spin.announce()", "Enter");
  await term.waitFor(/^spinning$/m);
  await term.keys("C-c");
  await term.waitFor(/error: CANCELLED: spin\.announce was cancelled\n\(node-5651\) >$/m);
  await term.keys("spin.count(3)", "Enter");
  await term.waitFor(/^3\n\(node-5651\) >$/m);
  await term.keys("C-c");
  await term.waitFor(/To exit, type exit or press Ctrl-D/);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("Ctrl-C cancels a remote call in the same words as a local one, naming the node", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
  await using term = await Terminal.node(home.path, gpmd.address, FIXTURES_DIR);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys(`Node.run(${peer.name}, spin.announce())`, "Enter");
  await term.waitFor(/^spinning$/m);
  await term.keys("C-c");
  const cancelled = new RegExp(
    `error: CANCELLED: spin\\.announce was cancelled on ${peer.name}\\n\\(node-5651\\) >$`,
    "m",
  );
  await term.waitFor(cancelled);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("Tab offers other nodes to Node.connect( and a peer's own modules to Node.run(", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: FIXTURES_DIR });
  await using term = await Terminal.node(home.path, gpmd.address);
  await term.waitFor(/\(node-5651\) >$/m);
  // This node is not offered: the one other node completes in full.
  await term.keys("Node.connect(");
  await term.keys("Tab");
  await term.waitFor(new RegExp(`\\(node-5651\\) > Node\\.connect\\(${peer.name}$`, "m"));
  await term.keys(")", "Enter");
  await term.waitFor(new RegExp(`^${peer.name}\\n\\(node-5651\\) >$`, "m"));
  // The peer has spin (a fixture), which this node's folder (the example modules) lacks.
  await term.keys(`Node.run(${peer.name}, sp`);
  await term.keys("Tab");
  await term.waitFor(new RegExp(`Node\\.run\\(${peer.name}, spin$`, "m"));
  await term.keys(".cou");
  await term.keys("Tab");
  await term.waitFor(new RegExp(`Node\\.run\\(${peer.name}, spin\\.count\\($`, "m"));
  await term.keys("3))", "Enter");
  await term.waitFor(/^3\n\(node-5651\) >$/m);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("pasted lines each print their output under their own prompt", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await Terminal.node(home.path, gpmd.address);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.paste("math.mul(6,7)\nmath.add(1,2)\nmath.mul(2,2)\n");
  await term.waitFor(
    /^\(node-5651\) > math\.mul\(6,7\)\n42\n\(node-5651\) > math\.add\(1,2\)\nAdding Numbers From Wasm\.\.\.\n\n3\n\(node-5651\) > math\.mul\(2,2\)\n4\n\(node-5651\) >$/m,
  );
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("Ctrl-R searches history and Enter runs the match", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await Terminal.node(home.path, gpmd.address);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys("math.mul(6,7)", "Enter");
  await term.waitFor(/^42\n\(node-5651\) >$/m);
  await term.keys("math.add(1,2)", "Enter");
  await term.waitFor(/^3\n\(node-5651\) >$/m);
  await term.keys("C-r");
  await term.keys("mu");
  await term.waitFor(/^\(reverse-i-search\)'mu': math\.mul\(6,7\)$/m);
  await term.keys("Enter");
  await term.waitFor(/^\(node-5651\) > math\.mul\(6,7\)\n42\n\(node-5651\) >$/m);
  await term.keys("exit", "Enter");
  await term.waitFor(/Goodbye :\(/);
});

Deno.test("a node connecting is announced above the prompt, keeping the half-typed line", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using term = await Terminal.node(home.path, gpmd.address);
  await term.waitFor(/\(node-5651\) >$/m);
  await term.keys("math.a");
  await term.waitFor(/\(node-5651\) > math\.a$/m);
  await using peer = await TestNode.start(home.path, gpmd.address);
  await peer.command("Node.connect(node-5651)", "node-5651\n");
  await term.waitFor(new RegExp(`^${peer.name} connected\\n\\(node-5651\\) > math\\.a$`, "m"));
  await term.keys("dd(1,2)", "Enter");
  await term.waitFor(/^3\n\(node-5651\) >$/m);
});
