import assert from "node:assert/strict";
import { until } from "../_until.ts";
import { logWatch } from "../_log_watch.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { GpmdClient } from "../../lib/gpmd/client.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { GpmdLink } from "../../lib/node/gpmd_link.ts";
import { assertGvmError, assertRejectsGvmError } from "../_assert.ts";

const ENTRY = { name: "node-l", id: "c".repeat(32), host: "127.0.0.1", port: 4200 };

Deno.test("`GpmdLink` re-registers under the same name when GPMD comes back", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-link-test-" });
  const home = homePaths(root);
  const cookie = await loadCookie(home);
  let server = await GpmdServer.start({ port: 0, home, cookie });
  const address = { host: "127.0.0.1", port: server.port };
  const watch = logWatch();
  const link = await GpmdLink.open({ address, cookie, entry: ENTRY, log: watch.log, retryMs: 10 });
  try {
    assert.ok(link.isUp);
    assert.deepEqual(link.address, address);
    assert.deepEqual(await link.client.discover(), ["node-l"]);

    const gone = watch.until(/is gone; will re-register/, { newOnly: true });
    await server[Symbol.asyncDispose]();
    await gone;
    assert.equal(link.isUp, false);
    assertGvmError(() => link.client, "GPMD_DOWN", `GPMD at 127.0.0.1:${address.port}`);

    const back = watch.until(/Re-registered with GPMD as node-l/, { newOnly: true });
    server = await GpmdServer.start({ port: address.port, home, cookie });
    await back;
    assert.ok(link.isUp);
    await using other = await GpmdClient.connect({ address, cookie });
    assert.deepEqual(await other.lookup("node-l"), ENTRY);
  } finally {
    link.close();
    await server[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("`GpmdLink.open()` fails with NAME_TAKEN or GPMD_NOT_RUNNING, and close() ends the registration", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-link-test-" });
  const home = homePaths(root);
  const cookie = await loadCookie(home);
  await using server = await GpmdServer.start({ port: 0, home, cookie });
  const address = { host: "127.0.0.1", port: server.port };
  try {
    const link = await GpmdLink.open({ address, cookie, entry: ENTRY, log: () => {} });
    await assertRejectsGvmError(
      GpmdLink.open({ address, cookie, entry: ENTRY, log: () => {} }),
      "NAME_TAKEN",
    );
    const logs: string[] = [];
    const closing = await GpmdLink.open({
      address,
      cookie,
      entry: { ...ENTRY, name: "node-m" },
      log: (line) => logs.push(line),
    });
    closing.close();
    link.close();
    await using admin = await GpmdClient.connect({ address, cookie });
    await until(
      "GPMD drops both registrations",
      async () => (await admin.discover()).length === 0,
      () => admin.status(),
    );
    assert.deepEqual(logs, [], "a link closed on purpose does not report GPMD gone");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assertRejectsGvmError(
    GpmdLink.open({ address: { host: "127.0.0.1", port }, cookie, entry: ENTRY, log: () => {} }),
    "GPMD_NOT_RUNNING",
  );
});
