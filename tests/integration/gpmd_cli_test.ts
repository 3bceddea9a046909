import assert from "node:assert/strict";
import { FIXTURES_DIR, MODULES_DIR, runGvm, tempHome, TestGpmd } from "./_harness.ts";

async function startDetached(home: string): Promise<string> {
  const started = await runGvm(["gpmd", "start", "--port", "0"], { home });
  assert.equal(started.code, 0, started.stderr);
  const match = /^GPMD started: 127\.0\.0\.1:(\d+) \(pid (\d+)\); log in (.+)$/m.exec(
    started.stdout,
  );
  assert.ok(match, started.stdout);
  return `127.0.0.1:${match[1]}`;
}

Deno.test("gvm gpmd start detaches; status reports it; stop ends it", async () => {
  await using home = await tempHome();
  const address = await startDetached(home.path);
  const pid = JSON.parse(await Deno.readTextFile(`${home.path}/gpmd.pid`));
  assert.equal(`127.0.0.1:${pid.port}`, address);

  const status = await runGvm(["gpmd", "status", "--gpmd", address], { home: home.path });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`pid: +${pid.pid}\\n`));
  assert.match(status.stdout, new RegExp(`address: +${address.replaceAll(".", "\\.")}\\n`));
  assert.match(status.stdout, /uptime: +\d+s\n/);
  assert.match(status.stdout, /nodes: +0\n/);
  assert.match(status.stdout, /modules: +0\n/);

  const again = await runGvm(["gpmd", "start", "--port", address.split(":")[1]], {
    home: home.path,
  });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already running/);

  const stop = await runGvm(["gpmd", "kill", "--gpmd", address], { home: home.path });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /GPMD stopped/);
  const after = await runGvm(["gpmd", "status", "--gpmd", address], { home: home.path });
  assert.notEqual(after.code, 0);
  assert.match(after.stderr, /^error: GPMD_NOT_RUNNING: /);
  await assert.rejects(Deno.stat(`${home.path}/gpmd.pid`));
  assert.match(await Deno.readTextFile(`${home.path}/gpmd.log`), /stopping/);
});

Deno.test("two GPMDs with different homes and ports run side by side", async () => {
  await using homeA = await tempHome();
  await using homeB = await tempHome();
  await using a = await TestGpmd.start(homeA.path);
  await using b = await TestGpmd.start(homeB.path);
  assert.notEqual(a.port, b.port);
  const onA = await runGvm(["--gpmd", a.address, "--name", "node-1111", "-c", "Node.discover()"], {
    home: homeA.path,
  });
  const onB = await runGvm(["--gpmd", b.address, "--name", "node-1111", "-c", "Node.discover()"], {
    home: homeB.path,
  });
  assert.match(onA.stdout, /(?:^|\n)node-1111\n$/);
  assert.match(onB.stdout, /(?:^|\n)node-1111\n$/);
});

Deno.test("GPMD_ADDR points the CLI at another GPMD", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const status = await runGvm(["gpmd", "status"], {
    home: home.path,
    env: { GPMD_ADDR: gpmd.address },
  });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`address: +127\\.0\\.0\\.1:${gpmd.port}`));
});

Deno.test("gvm wasm upload stores versions; list shows them; nodes run the latest", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  const upload = (version: string, file: string) =>
    runGvm([
      "wasm",
      "upload",
      "--gpmd",
      gpmd.address,
      "--name=calc",
      `--version=${version}`,
      `--file=${file}`,
    ], {
      home: home.path,
    });
  const first = await upload("v0.2.0", `${MODULES_DIR}/math.wasm`);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^Uploaded calc v0\.2\.0 \(\d+ bytes, sha256 [0-9a-f]{64}\)\n$/);
  assert.equal((await upload("v0.10.0", `${MODULES_DIR}/types.wasm`)).code, 0);
  const duplicate = await upload("v0.2.0", `${MODULES_DIR}/math.wasm`);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /^error: MODULE_EXISTS: /);
  const notWasm = await upload("v0.3.0", `${FIXTURES_DIR}/spin.wat`); // WAT text, not a binary
  assert.match(notWasm.stderr, /^error: BAD_MODULE: /);
  const missing = await upload("v0.4.0", `${home.path}/nothing.wasm`);
  assert.match(missing.stderr, /^error: IO_ERROR: /);

  const list = await runGvm(["wasm", "list", "--gpmd", gpmd.address], { home: home.path });
  assert.equal(list.stdout, "NAME  LATEST    VERSIONS\ncalc  v0.10.0   v0.2.0, v0.10.0\n");
  const index = JSON.parse(await Deno.readTextFile(`${home.path}/ghost.modules.json`));
  assert.match(index.modules.calc["v0.2.0"].sha256, /^[0-9a-f]{64}$/);

  // The latest version (types.wasm) is what a node without the module in its folder runs.
  const empty = await Deno.makeTempDir({ dir: home.path });
  const run = await runGvm(
    ["--gpmd", gpmd.address, "--modules", empty, "-c", "calc.add64(40, 2)"],
    {
      home: home.path,
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /(?:^|\n)42\n$/);
  const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
  assert.match(status.stdout, /modules: +1\n/);
});

Deno.test("gvm wasm upload without its flags says what it needs", async () => {
  await using home = await tempHome();
  const result = await runGvm(["wasm", "upload", "--name=x"], { home: home.path });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: BAD_FLAGS: .*--version=VERSION/);
});

Deno.test("deno task dev starts GPMD if needed, then a node with the example modules", async () => {
  await using home = await tempHome();
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const address = `127.0.0.1:${(probe.addr as Deno.NetAddr).port}`;
  probe.close();
  const env = { GHOST_HOME: home.path, GPMD_ADDR: address, NO_COLOR: "1" };
  const root = new URL("../..", import.meta.url).pathname;
  try {
    for (const input of ["math.add(1,2)\n", "Node.discover()\n"]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "dev"],
        cwd: root,
        env,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(input));
      await writer.close();
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, /GPMD (started|is already running)/);
      assert.match(new TextDecoder().decode(out.stderr), /GVM has been created node-\d{4}/);
      assert.match(stdout, input.startsWith("math") ? /\n3\n$/ : /\nnode-\d{4}\n$/);
    }
  } finally {
    await runGvm(["gpmd", "stop"], { home: home.path, env: { GPMD_ADDR: address } });
  }
});

Deno.test("gpmd status and stop reach the GPMD of GHOST_HOME (its pid file), not 5989", async () => {
  await using homeA = await tempHome();
  await using homeB = await tempHome();
  await using b = await TestGpmd.start(homeB.path);
  // The same cookie in both homes: a stop sent to the wrong GPMD would succeed.
  await Deno.copyFile(`${homeB.path}/cookie`, `${homeA.path}/cookie`);
  const a = await startDetached(homeA.path);
  const status = await runGvm(["gpmd", "status"], { home: homeA.path, env: { GPMD_ADDR: "" } });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`address: +${a.replaceAll(".", "\\.")}\\n`));
  const stop = await runGvm(["gpmd", "stop"], { home: homeA.path, env: { GPMD_ADDR: "" } });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`GPMD stopped \\(pid \\d+, ${a.replaceAll(".", "\\.")}\\)`));
  // B, on its own home, still runs; and an explicit --gpmd still wins over the pid file.
  const other = await runGvm(["gpmd", "status", "--gpmd", b.address], { home: homeA.path });
  assert.equal(other.code, 0, other.stderr);
});
