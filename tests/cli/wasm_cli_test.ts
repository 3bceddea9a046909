import assert from "node:assert/strict";
import { wasmList, wasmRemove, wasmUpload } from "../../lib/cli/wasm_cli.ts";
import { loadCookie } from "../../lib/cookie.ts";
import { GpmdServer } from "../../lib/gpmd/server.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { homePaths } from "../../lib/home.ts";
import { assertRejectsGvmError } from "../_assert.ts";
import { captureOutput } from "./_capture.ts";

const MATH = new URL("../fixtures/examples/math.wasm", import.meta.url).pathname;

Deno.test("`gvm wasm upload`, `list` and `rm` print one line each against a real GPMD", async () => {
  const root = await Deno.makeTempDir({ prefix: "gvm-wasm-cli-test-" });
  const home = homePaths(root);
  await using gpmd = await GpmdServer.start({ port: 0, home, cookie: await loadCookie(home) });
  const client = { gpmd: `127.0.0.1:${gpmd.port}`, tls: {} };
  try {
    const empty = await captureOutput(() => wasmList(home, client));
    assert.equal(empty.value, 0);
    assert.match(empty.stdout, /^No modules stored\. Add one with: gvm wasm upload/);

    const bytes = await Deno.readFile(MATH);
    const up = await captureOutput(() =>
      wasmUpload(home, { client, name: "math", version: "v0.0.1", file: MATH })
    );
    assert.equal(
      up.stdout,
      `Uploaded math v0.0.1 (${bytes.length} bytes, sha256 ${await sha256Hex(bytes)})\n`,
    );
    await captureOutput(() =>
      wasmUpload(home, { client, name: "math", version: "v0.0.2", file: MATH })
    );

    const listed = await captureOutput(() => wasmList(home, client));
    assert.equal(listed.stdout, "NAME  LATEST    VERSIONS\nmath  v0.0.2    v0.0.1, v0.0.2\n");

    const removed = await captureOutput(() =>
      wasmRemove(home, { client, name: "math", version: "v0.0.1" })
    );
    assert.equal(removed.stdout, "Removed math v0.0.1\n");
    await assertRejectsGvmError(
      wasmRemove(home, { client, name: "math", version: "v0.0.1" }),
      "MODULE_NOT_FOUND",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("`gvm wasm upload` of a file it cannot read fails with IO_ERROR before connecting", async () => {
  const home = homePaths("/nonexistent-gvm-home");
  await assertRejectsGvmError(
    wasmUpload(home, {
      client: { gpmd: "127.0.0.1:1", tls: {} },
      name: "x",
      version: "v1",
      file: "/nonexistent/x.wasm",
    }),
    "IO_ERROR",
    "Cannot read /nonexistent/x.wasm",
  );
});
