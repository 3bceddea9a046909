import assert from "node:assert/strict";
import {
  FIXTURES_DIR,
  MODULES_DIR,
  runCommands,
  runGvm,
  tempHome,
  TestGpmd,
  TestNode,
  withoutStartup,
} from "./_harness.ts";

const UUID_V4 = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

// With -c or piped input the start-up lines go to stderr: stdout is only what calls print.
function body(stdout: string): string {
  return stdout;
}

Deno.test("gvm prints the seed's start-up lines (to stderr with -c) and the local transcripts exactly", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, ["math", "math.add(1,2)"]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stderr.split("\n");
  assert.match(lines[0], new RegExp(`^GVM has been created node-\\d{4} \\(${UUID_V4.source}\\)$`));
  assert.match(lines[1], /^Listening for nodes on port \d+$/);
  assert.equal(
    body(result.stdout),
    "Reponse from the math module...\nAdding Numbers From Wasm...\n\n3\n",
  );
  assert.equal(lines.length, 3, result.stderr);
});

Deno.test("piped standard input runs one command a line with no prompt", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runGvm(["--gpmd", gpmd.address, "--modules", MODULES_DIR], {
    home: home.path,
    input: "math.add(2,3)\n\nmath.mul(6,7)\nexit\nmath.add(1,1)\n",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(body(result.stdout), "Adding Numbers From Wasm...\n\n5\n42\nGoodbye :(\n");
  assert.doesNotMatch(result.stdout, /\(node-\d+\) >/);
});

Deno.test("piped scripts may carry # comments, whole-line or trailing", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runGvm(["--gpmd", gpmd.address, "--modules", MODULES_DIR], {
    home: home.path,
    input: "# multiply, then add\nmath.mul(6,7)   # 42\n   # indented note\nmath.add(1,1)\n",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(body(result.stdout), "42\nAdding Numbers From Wasm...\n\n2\n");
  assert.equal(withoutStartup(result.stderr), "");
});

Deno.test("Node.discover() lists this node, and a dead node drops out", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using other = await TestNode.start(home.path, gpmd.address, { name: "node-4242" });
  const both = await runCommands(home.path, gpmd, ["Node.discover()"]);
  const self = /GVM has been created (\S+)/.exec(both.stderr)![1];
  assert.deepEqual(body(both.stdout).trim().split(",").sort(), [self, "node-4242"].sort());
  other.kill();
  await other.exit();
  const alone = await runCommands(home.path, gpmd, ["Node.discover()"]);
  const me = /GVM has been created (\S+)/.exec(alone.stderr)![1];
  assert.equal(body(alone.stdout), `${me}\n`);
});

Deno.test("typed calls keep i64, f32, f64, strings and multi-value exact", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, [
    "types.add64(9007199254740993, 0)",
    "types.add64(9223372036854775807, 0)",
    "types.neg64(-9223372036854775807)",
    "types.add64(-9223372036854775808, 0)",
    "types.add64(18446744073709551615, 0)",
    "types.addf32(0.1, 0.2)",
    "types.mulf64(0.1, 3)",
    "types.half(-7)",
    "math.add(-5, 0x10)",
    "math.add(2147483647, 1)",
    "types.divmod(17, 5)",
    "types.swap3(7, 123456789012345678, 2.5)",
    'types.strlen("héllo")',
    'types.sum_bytes("AB")',
    'types.greet("wörld 😀")',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    body(result.stdout),
    [
      "9007199254740993",
      "9223372036854775807",
      "9223372036854775807",
      "-9223372036854775808",
      "-1",
      "0.3",
      "0.30000000000000004",
      "-3.5",
      "Adding Numbers From Wasm...",
      "",
      "11",
      "Adding Numbers From Wasm...",
      "",
      "-2147483648",
      "3, 2",
      "2.5, 123456789012345678, 7",
      "6",
      "131",
      "Hello, wörld 😀!",
      "",
    ].join("\n"),
  );
});

Deno.test("a C program gets its argv, non-ASCII included", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, ['hello(42, "héllo wörld")']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    body(result.stdout),
    "Hello from C! argc=3\nargv[0]=hello\nargv[1]=42\nargv[2]=héllo wörld\n",
  );
});

Deno.test("every error is one line with a code, and the node goes on", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const cases: [string, RegExp][] = [
    ["math.add(1", /^error: SYNTAX_ERROR: .*column/],
    ["nope", /^error: MODULE_NOT_FOUND: .*nope/],
    ["math.nope()", /^error: EXPORT_NOT_FOUND: math has no export named nope/],
    ["math.add(1)", /^error: BAD_ARGS: add takes 2 arguments \(i32, i32\), got 1 argument$/],
    ["math.add(1, 2, 3)", /^error: BAD_ARGS: /],
    ['math.add("x", 1)', /^error: BAD_ARGS: /],
    ["math.add(1.5, 1)", /^error: BAD_ARGS: .*not an integer/],
    ["math.add(4294967296, 1)", /^error: BAD_ARGS: .*out of range/],
    ["types.boom()", /^error: TRAP: types\.boom trapped: unreachable$/],
    ["math.div(1, 0)", /^error: TRAP: math\.div trapped: divide by zero$/],
    ["types.oob()", /^error: TRAP: types\.oob trapped: memory access out of bounds$/],
    ["Node.connect(node-1)", /^error: NODE_NOT_FOUND: /],
    // Node.run connects first, so an unknown node is named as such.
    ["Node.run(node-1, math)", /^error: NODE_NOT_FOUND: /],
  ];
  const result = await runCommands(home.path, gpmd, [
    ...cases.map(([line]) => line),
    "math.mul(3,4)",
  ]);
  assert.equal(result.code, 1);
  const errors = withoutStartup(result.stderr).trim().split("\n");
  assert.equal(errors.length, cases.length, result.stderr);
  cases.forEach(([line, pattern], i) => assert.match(errors[i], pattern, line));
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/, "no stack traces");
  assert.equal(body(result.stdout), "12\n");
});

Deno.test("broken, truncated and badly linked modules give BAD_MODULE", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(
    home.path,
    gpmd,
    ["broken", "truncated", "badimport.main()", "trapstart", "spin.count(5)"],
    FIXTURES_DIR,
  );
  assert.equal(result.code, 1);
  const errors = withoutStartup(result.stderr).trim().split("\n");
  assert.match(errors[0], /^error: BAD_MODULE: broken\.wasm/);
  assert.match(errors[1], /^error: BAD_MODULE: truncated\.wasm/);
  assert.match(
    errors[2],
    /^error: BAD_MODULE: badimport imports function env\.nothere, which this VM does not provide/,
  );
  assert.match(errors[3], /^error: TRAP: trapstart trapped: unreachable$/);
  assert.equal(body(result.stdout), "5\n");
});

Deno.test("a .wasm dropped into the folder while the node runs is available at once", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const folder = `${home.path}/mods`;
  await Deno.mkdir(folder);
  await using node = await TestNode.start(home.path, gpmd.address, { modules: folder });
  const missing = node.stderr.text.length;
  await node.send("math.mul(6,7)");
  await node.stderr.waitFor(/error: MODULE_NOT_FOUND/, missing);
  await Deno.copyFile(`${MODULES_DIR}/math.wasm`, `${folder}/math.wasm`);
  assert.equal(await node.command("math.mul(6,7)", /42\n/), "42\n");
});

Deno.test("without GPMD a node exits non-zero with GPMD_NOT_RUNNING and how to start it", async () => {
  await using home = await tempHome();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // A port with nobody on it.
  const result = await runGvm(["--gpmd", `127.0.0.1:${port}`, "-c", "math"], { home: home.path });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /^error: GPMD_NOT_RUNNING: .*gvm gpmd start/);
  assert.equal(result.stdout, "");
});

Deno.test("a live name is refused with NAME_TAKEN", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  await using _first = await TestNode.start(home.path, gpmd.address, { name: "node-7777" });
  const second = await runGvm(["--gpmd", gpmd.address, "--name", "node-7777", "-c", "math"], {
    home: home.path,
  });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /^error: NAME_TAKEN: .*node-7777/);
});

Deno.test("a node with another cookie is refused by GPMD with AUTH_FAILED", async () => {
  await using home = await tempHome();
  await using other = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runGvm(["--gpmd", gpmd.address, "-c", "math"], { home: other.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: AUTH_FAILED: /);
  const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: other.path });
  assert.equal(status.code, 1);
  assert.match(status.stderr, /AUTH_FAILED/);
});

Deno.test("the cookie is created with mode 0600, and a readable one is refused", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const info = await Deno.stat(`${home.path}/cookie`);
  assert.equal(info.mode! & 0o777, 0o600);
  await Deno.chmod(`${home.path}/cookie`, 0o644);
  const result = await runGvm(["--gpmd", gpmd.address, "-c", "math"], { home: home.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: COOKIE_ERROR: .*chmod 600/);
});

Deno.test("bad flags give BAD_FLAGS and exit 2; --help and --version are true", async () => {
  await using home = await tempHome();
  const bad = await runGvm(["--nope"], { home: home.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: BAD_FLAGS: /);
  const help = await runGvm(["--help"], { home: home.path });
  assert.equal(help.code, 0);
  for (
    const text of [
      "gpmd start",
      "gpmd stop",
      "gpmd status",
      "wasm upload",
      "wasm list",
      "wasm rm --name=NAME --version=VERSION",
      "gvm --serve | --detached",
      "gvm node list | gvm node stop NAME",
      "--flag VALUE and --flag=VALUE",
      "-c COMMAND",
    ]
  ) {
    assert.ok(help.stdout.includes(text), text);
  }
  const version = await runGvm(["--version"], { home: home.path });
  assert.match(version.stdout, /^gvm \d+\.\d+\.\d+\n$/);
});

Deno.test("help lists the commands and the modules found", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  // Its own modules folder, so modules added to modules/ never change what this test expects.
  const modules = `${home.path}/own-modules`;
  await Deno.mkdir(modules);
  for (const name of ["alpha", "beta"]) {
    await Deno.copyFile(`${MODULES_DIR}/math.wasm`, `${modules}/${name}.wasm`);
  }
  const result = await runCommands(home.path, gpmd, ["help"], modules);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Node\.run\(node, module\.fn\(args\)\)/);
  assert.match(result.stdout, /Modules: alpha, beta$/m);
});

Deno.test("--max-module-bytes refuses a module over the cap, and GPMD refuses such an upload", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path, 0, { extra: ["--max-module-bytes", "200"] });
  const result = await runCommands(home.path, gpmd, ["math.mul(6,7)"], MODULES_DIR, [
    "--max-module-bytes",
    "200",
  ]);
  assert.equal(result.code, 1);
  assert.match(
    withoutStartup(result.stderr),
    /^error: BAD_MODULE: math\.wasm is \d+ bytes, over the 200-byte cap/,
  );
  const upload = await runGvm(
    [
      "wasm",
      "upload",
      "--gpmd",
      gpmd.address,
      "--name=m",
      "--version=v1",
      `--file=${MODULES_DIR}/math.wasm`,
    ],
    { home: home.path },
  );
  assert.equal(upload.code, 1);
  assert.match(upload.stderr, /^error: BAD_MODULE: m v1 is \d+ bytes, over GPMD's 200-byte cap/);
});

Deno.test("NaN, infinities and -0 cross to and from the sandbox intact", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const result = await runCommands(home.path, gpmd, [
    "types.half(nan)",
    "types.half(inf)",
    "types.mulf64(-1, 0)",
    "types.addf32(inf, -inf)",
    "types.half(-inf)",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(body(result.stdout), "nan\ninf\n-0\nnan\n-inf\n");
});

Deno.test("export names a module chose are shown escaped, locally and through Node.run", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const evil = `${FIXTURES_DIR}/evil`;
  await using peer = await TestNode.start(home.path, gpmd.address, { modules: evil });
  const result = await runCommands(home.path, gpmd, [
    "evil.nosuch()",
    `Node.connect(${peer.name})`,
    `Node.run(${peer.name}, evil.nosuch())`,
  ], evil);
  assert.equal(result.code, 1);
  const lines = withoutStartup(result.stderr).trimEnd().split("\n");
  assert.equal(lines.length, 2, result.stderr);
  for (const line of lines) {
    assert.match(
      line,
      /^error: EXPORT_NOT_FOUND: (on \S+: )?evil has no export named nosuch; .*ok/,
    );
    assert.ok(line.includes("x\\nerror: FORGED\\x1b]0;pwned\\x07"), line);
  }
  const all = result.stdout + result.stderr;
  assert.ok(!all.includes("\x1b") && !all.includes("\x07"), "no raw escape or bell reached us");
});
