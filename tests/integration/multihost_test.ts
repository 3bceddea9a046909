// Across machines, for real: two hosts made of Linux network namespaces joined by a veth pair,
// each with its own GPMD and node. Every address lives inside the namespaces this test makes.
import assert from "node:assert/strict";
import { homePaths } from "../../lib/home.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { FIXTURES_DIR, MODULES_DIR, runGvm, tempHome, TestGpmd, TestNode } from "./_harness.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

async function sh(command: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** Two namespaces, a and b, with addresses 10.213.N.1 and 10.213.N.2. */
class Hosts implements AsyncDisposable {
  readonly ns: [string, string];
  readonly ip: [string, string];

  private constructor(id: string, subnet: number) {
    this.ns = [`gvma-${id}`, `gvmb-${id}`];
    this.ip = [`10.213.${subnet}.1`, `10.213.${subnet}.2`];
  }

  static async make(): Promise<Hosts> {
    const id = crypto.randomUUID().slice(0, 6);
    const hosts = new Hosts(id, 1 + Math.floor(Math.random() * 250));
    const links = [`gva-${id}`, `gvb-${id}`];
    try {
      for (const ns of hosts.ns) await sh("ip", "netns", "add", ns);
      await sh("ip", "link", "add", links[0], "type", "veth", "peer", "name", links[1]);
      for (const i of [0, 1]) {
        await sh("ip", "link", "set", links[i], "netns", hosts.ns[i]);
        await sh("ip", "-n", hosts.ns[i], "addr", "add", `${hosts.ip[i]}/24`, "dev", links[i]);
        await sh("ip", "-n", hosts.ns[i], "link", "set", links[i], "up");
        await sh("ip", "-n", hosts.ns[i], "link", "set", "lo", "up");
      }
    } catch (error) {
      await hosts[Symbol.asyncDispose]();
      throw error;
    }
    return hosts;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const ns of this.ns) await sh("ip", "netns", "del", ns).catch(() => {});
  }
}

// Namespaces need root and iproute2. CI has both and must run this; a laptop may not.
async function makeHosts(): Promise<Hosts | undefined> {
  try {
    return await Hosts.make();
  } catch (error) {
    const why = `cannot make network namespaces here: ${(error as Error).message}`;
    if (Deno.env.get("CI")) throw new Error(`${why} (CI must run the multi-host test)`);
    console.log(`multi-host test not run: ${why}`);
    return undefined;
  }
}

type Homes = { a: string; b: string };

/** Runs `test` with two hosts and two homes sharing one cookie, as on two set-up machines. */
async function withTwoHosts(test: (hosts: Hosts, homes: Homes) => Promise<void>): Promise<void> {
  await using hosts = await makeHosts();
  if (!hosts) return;
  await using a = await tempHome();
  await using b = await tempHome();
  await loadCookie(homePaths(a.path));
  await Deno.copyFile(`${a.path}/cookie`, `${b.path}/cookie`);
  await Deno.chmod(`${b.path}/cookie`, 0o600);
  await test(hosts, { a: a.path, b: b.path });
}

async function modulesWith(home: string, files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: home });
  for (const [name, from] of Object.entries(files)) await Deno.copyFile(from, `${dir}/${name}`);
  return dir;
}

// Discovery follows peer GPMDs once a second: no event to wait on, so poll with a deadline.
async function discoverUntil(
  node: TestNode,
  test: (names: string[]) => boolean,
): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  while (true) {
    const line = await node.command("Node.discover()", /\n/);
    const names = line.trim().split(",");
    if (test(names)) return names;
    if (Date.now() > deadline) throw new Error(`discover never matched; last: ${line}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Site {
  gpmd: TestGpmd;
  node: TestNode;
}

async function startSite(
  home: string,
  netns: string,
  ip: string,
  peerIp: string,
  name: string,
  modules: string,
  tls: string[] = [],
): Promise<Site> {
  const gpmd = await TestGpmd.start(home, 5989, {
    netns,
    extra: ["--listen", ip, "--peer", `${peerIp}:5989`, ...tls],
  });
  const node = await TestNode.start(home, `${ip}:5989`, {
    netns,
    name,
    modules,
    extra: ["--listen", `${ip}:0`, ...tls],
  });
  return { gpmd, node };
}

async function stopSite(site: Site): Promise<void> {
  await site.node[Symbol.asyncDispose]();
  await site.gpmd[Symbol.asyncDispose]();
}

Deno.test("two hosts: peered discovery, name@host connect, streamed runs, GPMD restart", () =>
  withTwoHosts(async (hosts, homes) => {
    const [ipA, ipB] = hosts.ip;
    const modsB = await modulesWith(homes.b, {
      "math.wasm": `${MODULES_DIR}/math.wasm`,
      "slowprint.wasm": `${FIXTURES_DIR}/slowprint.wasm`,
    });
    const modsA = await modulesWith(homes.a, {
      "math.wasm": `${MODULES_DIR}/math.wasm`,
      "types.wasm": `${MODULES_DIR}/types.wasm`,
      "slowprint.wasm": `${FIXTURES_DIR}/slowprint.wasm`,
    });
    const a = await startSite(homes.a, hosts.ns[0], ipA, ipB, "node-a", modsA);
    let b = await startSite(homes.b, hosts.ns[1], ipB, ipA, "node-b", modsB);
    try {
      // Discovery across peered GPMDs: remote nodes as name@host beside local ones.
      const names = await discoverUntil(a.node, (n) => n.includes(`node-b@${ipB}`));
      assert.ok(names.includes("node-a"), names.join(","));

      assert.equal(await a.node.command(`Node.connect(node-b@${ipB})`, /\n/), `node-b@${ipB}\n`);
      assert.equal(await a.node.command("Node.list()", /\n/), `node-b@${ipB}\n`);
      assert.equal(await b.node.command("Node.list()", /\n/), `node-a@${ipA}\n`);

      const run = await a.node.command(`Node.run(node-b@${ipB}, math.add(34,34))`, /\n68\n/);
      assert.match(run, /^ID: {2}[0-9a-f-]{36}\nAdding Numbers From Wasm\.\.\.\n68\n$/);

      // Output streams across hosts before the call ends.
      const from = a.node.stdout.text.length;
      await a.node.send(`Node.run(node-b@${ipB}, slowprint.run(600000000))`);
      await a.node.stdout.waitFor("tick\n", from);
      assert.doesNotMatch(a.node.stdout.text.slice(from), /tock/);
      await a.node.stdout.waitFor("tock\n", from);

      // Code shipping across hosts: B lacks types and gets it from A.
      assert.match(
        await a.node.command(`Node.run(node-b@${ipB}, types.add64(40, 2))`, /\n42\n/),
        /\n42\n$/,
      );
      // And B can run on A over the same connection, by the name it lists A under.
      assert.match(
        await b.node.command(`Node.run(node-a@${ipA}, math.mul(6, 7))`, /\n42\n/),
        /\n42\n$/,
      );

      // B's GPMD stops: its node leaves A's discovery within seconds, and comes back with it.
      b.gpmd.kill();
      await b.gpmd.exit();
      await discoverUntil(a.node, (n) => !n.includes(`node-b@${ipB}`));
      const gpmdB = await TestGpmd.start(homes.b, 5989, {
        netns: hosts.ns[1],
        extra: ["--listen", ipB, "--peer", `${ipA}:5989`],
      });
      b = { gpmd: gpmdB, node: b.node };
      await discoverUntil(a.node, (n) => n.includes(`node-b@${ipB}`));
    } finally {
      await stopSite(a);
      await stopSite(b);
    }
  }));

Deno.test("two hosts over TLS: runs across hosts; a client without the CA is refused", () =>
  withTwoHosts(async (hosts, homes) => {
    const [ipA, ipB] = hosts.ip;
    const certs = `${homes.a}/certs`;
    const other = `${homes.a}/other`;
    await sh("bash", `${ROOT}/scripts/make_test_certs.sh`, certs, ipA, ipB);
    await sh("bash", `${ROOT}/scripts/make_test_certs.sh`, other, ipA, ipB);
    const tls = [
      "--tls-cert",
      `${certs}/gvm.crt`,
      "--tls-key",
      `${certs}/gvm.key`,
      "--tls-ca",
      `${certs}/ca.crt`,
    ];
    const a = await startSite(homes.a, hosts.ns[0], ipA, ipB, "node-a", MODULES_DIR, tls);
    const b = await startSite(homes.b, hosts.ns[1], ipB, ipA, "node-b", MODULES_DIR, tls);
    try {
      await discoverUntil(a.node, (n) => n.includes(`node-b@${ipB}`));
      assert.equal(await a.node.command(`Node.connect(node-b@${ipB})`, /\n/), `node-b@${ipB}\n`);
      const run = await a.node.command(`Node.run(node-b@${ipB}, math.add(34,34))`, /\n68\n/);
      assert.match(run, /\nAdding Numbers From Wasm\.\.\.\n68\n$/);

      const status = await runGvm(["gpmd", "status", "--gpmd", `${ipB}:5989`, ...tls], {
        home: homes.a,
        netns: hosts.ns[0],
      });
      assert.equal(status.code, 0, status.stderr);
      const otherCa = [
        "--tls-cert",
        `${other}/gvm.crt`,
        "--tls-key",
        `${other}/gvm.key`,
        "--tls-ca",
        `${other}/ca.crt`,
      ];
      const refused = await runGvm(["gpmd", "status", "--gpmd", `${ipB}:5989`, ...otherCa], {
        home: homes.a,
        netns: hosts.ns[0],
      });
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /^error: AUTH_FAILED: TLS handshake with .* failed: invalid peer certificate/,
      );
      const plain = await runGvm(["gpmd", "status", "--gpmd", `${ipB}:5989`], {
        home: homes.a,
        netns: hosts.ns[0],
      });
      assert.match(plain.stderr, /^error: AUTH_FAILED: .*TLS/);
    } finally {
      await stopSite(a);
      await stopSite(b);
    }
  }));

Deno.test("a GPMD on a non-loopback address needs an existing cookie and warns without TLS", async () => {
  await using hosts = await makeHosts();
  if (!hosts) return;
  await using home = await tempHome();
  const fresh = await runGvm(["gpmd", "start", "--foreground", "--listen", hosts.ip[0]], {
    home: home.path,
    netns: hosts.ns[0],
  });
  assert.equal(fresh.code, 1);
  assert.match(fresh.stderr, /^error: COOKIE_ERROR: .*share on purpose/);
  await loadCookie(homePaths(home.path));
  await using gpmd = await TestGpmd.start(home.path, 5989, {
    netns: hosts.ns[0],
    extra: ["--listen", hosts.ip[0]],
  });
  await gpmd.stderr.waitFor(/warning: GPMD listens on .* without TLS/);
});
