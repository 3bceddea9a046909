import assert from "node:assert/strict";
import { type CliCommand, parseCli } from "../../lib/cli/args.ts";
import { gpmdStart, gpmdStatus, gpmdStop } from "../../lib/cli/gpmd_cli.ts";
import { readFirstLine } from "../../lib/cli/detach.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { homePaths } from "../../lib/home.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { captureOutput } from "./_capture.ts";

type GpmdStartCommand = Extract<CliCommand, { kind: "gpmd-start" }>;

function streamOf(chunks: string[], end = true): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      if (end) controller.close();
    },
  });
}

Deno.test("`readFirstLine()` joins chunks up to the first newline, trimmed", async () => {
  assert.equal(
    await readFirstLine(streamOf(["GPMD list", "ening on 1", "27.0.0.1:1 \nmore"]), 1000),
    "GPMD listening on 127.0.0.1:1",
  );
  assert.equal(await readFirstLine(streamOf(["no newline"]), 1000), "no newline");
  assert.equal(await readFirstLine(streamOf([]), 1000), undefined);
  assert.equal(await readFirstLine(streamOf(["  \n"]), 1000), undefined);
});

Deno.test("`readFirstLine()` gives up on a silent stream after its timeout", async () => {
  assert.equal(await readFirstLine(streamOf(["partial"], false), 30), "partial");
  assert.equal(await readFirstLine(streamOf([], false), 30), undefined);
});

Deno.test("`gvm gpmd status` and `gvm gpmd stop` report the GPMD the flags name", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-gpmd-cli-test-" });
  const home = homePaths(root);
  const server = await GpmdServer.start({ port: 0, home, cookie: await loadCookie(home) });
  const flags = { gpmd: `127.0.0.1:${server.port}`, tls: {} };
  try {
    const status = await captureOutput(() => gpmdStatus(home, flags));
    assert.equal(status.value, 0);
    assert.match(
      status.stdout,
      new RegExp(
        `^GPMD is running\\n  pid: +${Deno.pid}\\n  address: 127\\.0\\.0\\.1:${server.port}\\n  uptime: +\\d+s\\n  nodes: +0\\n  modules: 0\\n$`,
      ),
    );
    const stopped = await captureOutput(() => gpmdStop(home, flags));
    assert.equal(stopped.stdout, `GPMD stopped (pid ${Deno.pid}, 127.0.0.1:${server.port})\n`);
    await server.done;
    await assertRejectsGvmError(gpmdStatus(home, flags), "GPMD_NOT_RUNNING");
  } finally {
    await server[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("`gvm gpmd start` on a port already served says so and starts nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-gpmd-cli-test-" });
  const home = homePaths(root);
  await using server = await GpmdServer.start({ port: 0, home, cookie: await loadCookie(home) });
  try {
    const command = parseCli(["gpmd", "start", "--port", String(server.port)]);
    assert.equal(command.kind, "gpmd-start");
    const started = await captureOutput(() => gpmdStart(home, command as GpmdStartCommand));
    assert.equal(started.value, 0);
    assert.equal(
      started.stdout,
      `GPMD is already running on 127.0.0.1:${server.port} (pid ${Deno.pid})\n`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("`gvm gpmd start` reachable from other machines needs a cookie made on purpose", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-gpmd-cli-test-" });
  const home = homePaths(root);
  try {
    const command = parseCli(["gpmd", "start", "--listen", "0.0.0.0", "--port", "0"]);
    await assertRejectsGvmError(
      gpmdStart(home, command as GpmdStartCommand),
      "COOKIE_ERROR",
      `create ${home.cookie} (mode 600)`,
    );
    assert.equal(await Deno.stat(home.cookie).then(() => true, () => false), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
