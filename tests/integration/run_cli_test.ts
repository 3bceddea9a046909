// `gvm run`: one shot with no GPMD, like `wasmtime run`; and the call's own world (argv, --env,
// stdin, exit codes) on `gvm run`, at a `-c` node, and across the network.
import assert from "node:assert/strict";
import {
  FIXTURES_DIR,
  gvmCommand,
  runCommands,
  runGvm,
  tempHome,
  TestGpmd,
  TestNode,
} from "./_harness.ts";
import { startInProcessGpmd, startInProcessNode } from "./_in_process.ts";

const WORLD = `${FIXTURES_DIR}/world.wasm`;
const AS_LIKE = `${FIXTURES_DIR}/asc_like.wasm`;

/** Runs `gvm run ARGS` with `input` on its stdin (and no GHOST_HOME: no GPMD is needed). */
async function gvmRun(args: string[], input = ""): Promise<
  { code: number; stdout: string; stderr: string }
> {
  const child = gvmCommand(["run", ...args], {
    env: { NO_COLOR: "1", GHOST_HOME: "/nonexistent-gvm-home" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("gvm run prints only the program's output, with its argv, and needs no GPMD", async () => {
  const result = await gvmRun([WORLD, "args", "one", "two words", "--help"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "one\ntwo words\n--help\n");
  assert.equal(result.stderr, "");
});

Deno.test("gvm run: --env sets the program's environment, and nothing else leaks in", async () => {
  const set = await gvmRun([
    "--env",
    "GREETING=hello world",
    "--env=X=1",
    WORLD,
    "env",
    "GREETING",
  ]);
  assert.equal(set.stdout, "hello world\n");
  const unset = await gvmRun([WORLD, "env", "HOME"]);
  assert.equal(unset.stdout, "(unset)\n");
});

Deno.test("gvm run passes its own stdin to the program", async () => {
  const result = await gvmRun([WORLD, "cat"], "line one\nline two\n");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "line one\nline two\n");
  assert.equal(result.stderr, "read 18 bytes\n");
});

Deno.test("gvm run exits with the program's proc_exit code, printing nothing more", async () => {
  const result = await gvmRun([WORLD, "exit", "33"]);
  assert.equal(result.code, 33);
  assert.equal(result.stdout + result.stderr, "");
  assert.equal((await gvmRun([WORLD, "exit", "0"])).code, 0);
});

Deno.test("gvm run --invoke prints the results one per line; errors are one line", async () => {
  const add = await gvmRun(["--invoke", "add", AS_LIKE, "40", "2"]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, "42\n");
  const missing = await gvmRun(["--invoke", "nope", AS_LIKE]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: EXPORT_NOT_FOUND: .*nope\n$/);
  const noFile = await gvmRun(["nothing-here.wasm"]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /^error: MODULE_NOT_FOUND: /);
  const badFlag = await gvmRun(["--frobnicate", WORLD]);
  assert.equal(badFlag.code, 2);
});

Deno.test("gvm run --dir maps a folder in place; --timeout stops a runaway program", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(`${home.path}/in.txt`, "from the host\n");
  const files = await gvmRun([
    "--dir",
    `${home.path}:/data`,
    `${FIXTURES_DIR}/files.wasm`,
    "/data/in.txt",
    "/data/out.txt",
  ]);
  assert.equal(files.code, 0, files.stderr);
  assert.equal(files.stdout, "from the host\n");
  assert.equal(await Deno.readTextFile(`${home.path}/out.txt`), "written by wasm\n");
  const spin = await gvmRun([
    "--timeout",
    "0.5",
    "--invoke",
    "forever",
    `${FIXTURES_DIR}/spin.wasm`,
  ]);
  assert.equal(spin.code, 1);
  assert.match(spin.stderr, /^error: TIMEOUT: .*0\.5 s limit/);
});

Deno.test("AssemblyScript's env.abort is a trap with its message and place; trace and seed work", async () => {
  const fail = await gvmRun(["--invoke", "fail", AS_LIKE]);
  assert.equal(fail.code, 1);
  assert.match(fail.stderr, /^error: TRAP: .*fail aborted: boom at index\.ts:3:5\n$/);
  const traced = await gvmRun(["--invoke", "traced", AS_LIKE]);
  assert.equal(traced.stdout, "7\n");
  assert.equal(traced.stderr, "trace: hello 1, 2.5\n");
  assert.equal((await gvmRun(["--invoke", "seeded", AS_LIKE])).stdout, "1\n");
});

Deno.test("a -c node exits with the last failing command's code: the program's, else 1", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const exits = await runCommands(
    home.path,
    gpmd,
    ['world("exit", "7")', "asc_like.add(1,2)"],
    FIXTURES_DIR,
  );
  assert.equal(exits.code, 7);
  assert.equal(exits.stdout, "3\n");
  assert.match(exits.stderr, /error: EXIT_CODE: world exited with code 7\n/);
  const then = await runCommands(home.path, gpmd, ['world("exit", "7")', "nosuch"], FIXTURES_DIR);
  assert.equal(then.code, 1);
  const piped = await runGvm(["--gpmd", gpmd.address, "--modules", FIXTURES_DIR], {
    home: home.path,
    input: 'world("exit", "9")\n',
  });
  assert.equal(piped.code, 9);
  const aborted = await runCommands(home.path, gpmd, ["asc_like.fail()"], FIXTURES_DIR);
  assert.match(aborted.stderr, /error: TRAP: asc_like\.fail aborted: boom at index\.ts:3:5\n/);
});

Deno.test("--env on a node sets its calls' environment, and a remote call carries the caller's", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using remote = await TestNode.start(home.path, gpmd.address, {
    modules: FIXTURES_DIR,
    extra: ["--env", "WHO=remote"],
  });
  const local = await runCommands(
    home.path,
    gpmd,
    [
      'world("env", "WHO")',
      `Node.connect(${remote.name})`,
      `Node.run(${remote.name}, world("env", "WHO"))`,
    ],
    FIXTURES_DIR,
    ["--env", "WHO=caller"],
  );
  assert.equal(local.code, 0, local.stderr);
  const lines = local.stdout.trim().split("\n");
  assert.equal(lines[0], "caller");
  assert.equal(lines.at(-1), "caller", "the remote call ran in the caller's environment");
  assert.equal(
    (await remote.command('world("env", "WHO")', /\n/)).trim(),
    "remote",
  );
});

Deno.test("library API: a call's env and stdin bytes, locally and on a peer", async () => {
  await using home = await tempHome();
  await using gpmd = await startInProcessGpmd(home.path, "run-cli-test-cookie");
  await using a = await startInProcessNode(gpmd, FIXTURES_DIR, { env: ["WHO=a"] });
  await using b = await startInProcessNode(gpmd, FIXTURES_DIR);
  const text = (args: string[]) => args.map((value) => ({ type: "string" as const, value }));
  const out: string[] = [];
  const onOutput = (fd: 1 | 2, data: Uint8Array) => {
    if (fd === 1) out.push(new TextDecoder().decode(data));
  };
  await a.call({ module: "world", args: text(["env", "WHO"]) }, { onOutput });
  await a.call({ module: "world", args: text(["cat"]) }, {
    onOutput,
    stdin: new TextEncoder().encode("bytes in\n"),
  });
  await a.connect(b.name);
  await a.run(b.name, { module: "world", args: text(["cat"]) }, {
    onOutput,
    stdin: new TextEncoder().encode("over the wire\n"),
    env: ["WHO=x"],
  }).result;
  await a.run(b.name, { module: "world", args: text(["env", "WHO"]) }, { onOutput }).result;
  assert.deepEqual(out, ["a\n", "bytes in\n", "over the wire\n", "a\n"]);
  await assert.rejects(
    a.call({ module: "world", args: text(["exit", "5"]) }),
    (error: { code?: string; exitCode?: number }) =>
      error.code === "EXIT_CODE" && error.exitCode === 5,
  );
  await assert.rejects(
    a.run(b.name, { module: "world", args: text(["exit", "6"]) }).result,
    (error: { code?: string; exitCode?: number }) =>
      error.code === "EXIT_CODE" && error.exitCode === 6,
  );
});

Deno.test("gvm --help documents gvm run, --env, stdin and exit codes", async () => {
  for (const args of [["--help"], ["run", "--help"]]) {
    const child = await gvmCommand(args, { stdout: "piped" }).output();
    const help = new TextDecoder().decode(child.stdout);
    for (const text of ["gvm run [--invoke FN]", "--env NAME=VALUE", "stdin", "exit code"]) {
      assert.ok(help.includes(text), `${args.join(" ")}: ${text}`);
    }
  }
});

Deno.test("end to end, a symlink in the mapped folder pointing out is not followed", async () => {
  await using home = await tempHome();
  await Deno.mkdir(`${home.path}/data`);
  await Deno.mkdir(`${home.path}/outside`);
  await Deno.writeTextFile(`${home.path}/outside/secret.txt`, "secret\n");
  await Deno.symlink(`${home.path}/outside`, `${home.path}/data/link`);
  await Deno.symlink("../outside/secret.txt", `${home.path}/data/rel`);
  const dir = ["--dir", `${home.path}/data:/data`, `${FIXTURES_DIR}/files.wasm`];
  for (const path of ["/data/link/secret.txt", "/data/rel", "/data/../outside/secret.txt"]) {
    const read = await gvmRun([...dir, path]);
    assert.equal(read.code, 1, path);
    assert.equal(read.stdout, "", path);
  }
  await Deno.writeTextFile(`${home.path}/data/in.txt`, "in\n");
  const write = await gvmRun([...dir, "/data/in.txt", "/data/link/planted.txt"]);
  assert.equal(write.code, 1);
  await assert.rejects(Deno.stat(`${home.path}/outside/planted.txt`));
});
