// Security defaults: loopback-only listening, the cookie guarding every command, the cookie kept
// out of logs and output, and a cookie file others can read refused.
import assert from "node:assert/strict";
import {
  GvmProcess,
  MODULES_DIR,
  runGvm,
  type TempHome,
  tempHome,
  TestGpmd,
  TestNode,
} from "./_harness.ts";
import { handshakeProof, randomNonce, RawClient } from "./_raw_wire.ts";

async function cookieOf(home: TempHome): Promise<string> {
  return (await Deno.readTextFile(`${home.path}/cookie`)).trim();
}

/**
 * This machine's IPv4 addresses other than loopback, from `hostname -I` (the tests run without
 * --allow-sys); none where that is missing.
 */
async function otherAddresses(): Promise<string[]> {
  try {
    const { stdout } = await new Deno.Command("hostname", { args: ["-I"], stderr: "null" })
      .output();
    return new TextDecoder().decode(stdout).trim().split(/\s+/)
      .filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127."));
  } catch {
    return [];
  }
}

/** Whether anything accepts a TCP connection at `hostname:port`. */
async function reachable(hostname: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("GPMD and nodes listen on 127.0.0.1 only, by default", async () => {
  await using home = await tempHome();
  await using gpmd = await TestGpmd.start(home.path);
  assert.match(gpmd.stdout.text, /^GPMD listening on 127\.0\.0\.1:\d+ /);
  const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`\\n  address: 127\\.0\\.0\\.1:${gpmd.port}\\n`));

  await using node = await TestNode.start(home.path, gpmd.address);
  const info = await node.command("Node.info()", /gpmd: [^\n]*\n/);
  assert.match(info, new RegExp(`\\naddress: 127\\.0\\.0\\.1:${node.port}\\n`));

  // Black box: from this machine's other addresses, neither port answers.
  for (const address of await otherAddresses()) {
    assert.equal(await reachable(address, gpmd.port), false, `GPMD answers on ${address}`);
    assert.equal(await reachable(address, node.port), false, `the node answers on ${address}`);
  }
  assert.equal(await reachable("127.0.0.1", gpmd.port), true);
  assert.equal(await reachable("127.0.0.1", node.port), true);
});

Deno.test("another cookie cannot stop GPMD or upload a module, and GPMD keeps running", async () => {
  await using home = await tempHome();
  await using stranger = await tempHome(); // Its own GHOST_HOME, so its own cookie.
  await using gpmd = await TestGpmd.start(home.path);
  let gpmdExited = false;
  gpmd.child.status.then(() => gpmdExited = true);
  await using node = await TestNode.start(home.path, gpmd.address);

  const stop = await runGvm(["gpmd", "stop", "--gpmd", gpmd.address], { home: stranger.path });
  assert.equal(stop.code, 1);
  assert.match(stop.stderr, /^error: AUTH_FAILED: /);
  const upload = await runGvm([
    "wasm",
    "upload",
    "--name=math",
    "--version=v0.0.1",
    `--file=${MODULES_DIR}/math.wasm`,
    "--gpmd",
    gpmd.address,
  ], { home: stranger.path });
  assert.equal(upload.code, 1);
  assert.match(upload.stderr, /^error: AUTH_FAILED: /);
  // A wrong proof by hand, at GPMD and at the node's peer port.
  const refusals: string[] = [];
  for (const port of [gpmd.port, node.port]) {
    await using raw = await RawClient.connect(port);
    const clientNonce = randomNonce();
    await raw.send({ t: "hello", v: 1, nonce: clientNonce });
    const challenge = await raw.expect("challenge");
    const serverNonce = String(challenge.nonce);
    await raw.send({
      t: "auth",
      proof: await handshakeProof(await cookieOf(stranger), "gvm-client", serverNonce, clientNonce),
    });
    const error = await raw.expect("error");
    assert.equal(error.code, "AUTH_FAILED");
    refusals.push(JSON.stringify(error));
  }

  // GPMD logs each refusal (its log lines go to its stderr too: wait for them there).
  await gpmd.stderr.waitFor(/(refused [^\n]*\n[^]*){3}/);
  assert.equal(gpmdExited, false, "GPMD is still running");
  const status = await runGvm(["gpmd", "status", "--gpmd", gpmd.address], { home: home.path });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`nodes: +1 \\(${node.name}\\)\\n  modules: 0\\n`));
  const list = await runGvm(["wasm", "list", "--gpmd", gpmd.address], { home: home.path });
  assert.match(list.stdout, /^No modules stored/);

  // Neither cookie shows up anywhere: GPMD's log file, any process's output, any error frame.
  const log = await Deno.readTextFile(`${home.path}/gpmd.log`);
  assert.match(log, /refused 127\.0\.0\.1:\d+: /);
  const everything = [
    log,
    gpmd.stdout.text,
    gpmd.stderr.text,
    node.stdout.text,
    node.stderr.text,
    stop.stdout,
    stop.stderr,
    upload.stdout,
    upload.stderr,
    status.stdout,
    list.stdout,
    ...refusals,
  ].join("\n");
  for (const cookie of [await cookieOf(home), await cookieOf(stranger)]) {
    assert.ok(cookie.length >= 16);
    assert.ok(!everything.includes(cookie), "a cookie leaked into a log or an output");
  }
});

Deno.test("a cookie file others can read is refused, saying chmod 600", async () => {
  await using home = await tempHome();
  const cookieFile = `${home.path}/cookie`;
  // Let GVM create the cookie, then open it up.
  const version = await runGvm(["wasm", "list", "--gpmd", "127.0.0.1:1"], { home: home.path });
  assert.match(version.stderr, /GPMD_NOT_RUNNING/);
  assert.equal((await Deno.stat(cookieFile)).mode! & 0o777, 0o600);
  const cookie = await cookieOf(home);

  for (const mode of [0o644, 0o640]) {
    await Deno.chmod(cookieFile, mode);
    for (
      const args of [
        ["gpmd", "start", "--foreground", "--port", "0"],
        ["gpmd", "status", "--gpmd", "127.0.0.1:1"],
        ["wasm", "list", "--gpmd", "127.0.0.1:1"],
        ["--gpmd", "127.0.0.1:1", "-c", "math"],
      ]
    ) {
      // A GPMD that wrongly started would run until killed: bound the wait.
      await using proc = new GvmProcess(args, { home: home.path });
      await proc.endInput();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        proc.exit(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`gvm ${args.join(" ")} kept running`)), 15_000);
        }),
      ]).finally(() => clearTimeout(timer));
      const what = `gvm ${args.join(" ")} with mode ${mode.toString(8)}`;
      assert.equal(result.code, 1, `${what}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^error: COOKIE_ERROR: .*chmod 600/, what);
      assert.ok(!(result.stdout + result.stderr).includes(cookie), `${what} printed the cookie`);
    }
  }
  await assert.rejects(Deno.stat(`${home.path}/gpmd.pid`), "no GPMD started");
});
