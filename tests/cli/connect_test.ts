import assert from "node:assert/strict";
import { connectGpmd, homeGpmd } from "../../lib/cli/connect.ts";
import { homePaths } from "../../lib/home.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { loadCookie } from "../../lib/cookie.ts";

async function withHome(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gvm-connect-test-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("`homeGpmd()` reads the address from the home's pid file", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.writeTextFile(home.pidFile, JSON.stringify({ hostname: "10.1.2.3", port: 7001 }));
    assert.deepEqual(await homeGpmd(home), { host: "10.1.2.3", port: 7001 });
  }));

Deno.test("`homeGpmd()` reaches a GPMD listening on every address over loopback", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    await Deno.writeTextFile(home.pidFile, JSON.stringify({ hostname: "0.0.0.0", port: 7 }));
    assert.deepEqual(await homeGpmd(home), { host: "127.0.0.1", port: 7 });
    await Deno.writeTextFile(home.pidFile, JSON.stringify({ hostname: "::", port: 8 }));
    assert.deepEqual(await homeGpmd(home), { host: "::1", port: 8 });
  }));

Deno.test("`homeGpmd()` falls back to the default without a usable pid file", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    const fallback = { host: "127.0.0.1", port: 5989 };
    assert.deepEqual(await homeGpmd(home), fallback);
    await Deno.writeTextFile(home.pidFile, "not json");
    assert.deepEqual(await homeGpmd(home), fallback);
    await Deno.writeTextFile(home.pidFile, JSON.stringify({ hostname: "h", port: "7" }));
    assert.deepEqual(await homeGpmd(home), fallback);
  }));

Deno.test("`connectGpmd()` reaches the GPMD that `--gpmd` names, with the home's cookie", () =>
  withHome(async (root) => {
    const home = homePaths(root);
    const cookie = await loadCookie(home);
    await using server = await GpmdServer.start({ port: 0, home, cookie });
    await using client = await connectGpmd(home, {
      gpmd: `127.0.0.1:${server.port}`,
      tls: {},
    });
    assert.deepEqual(await client.discover(), []);
  }));
