// GPMD's store on a real, nearly full file system (a small tmpfs, mounted as root): an upload
// that does not fit fails with IO_ERROR, is not listed, can be retried once there is room, and
// is still there after a restart.
import assert from "node:assert/strict";
import { MODULES_DIR, runGvm, TestGpmd } from "./_harness.ts";

async function sh(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(args[0], { args: args.slice(1) })
    .output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return text;
}

/** A tmpfs of `size` bytes as a GHOST_HOME, unmounted on dispose. */
async function smallDisk(size: number): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "gvm-disk-" });
  await sh("mount", "-t", "tmpfs", "-o", `size=${size},mode=700`, "tmpfs", path);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await sh("umount", path).catch(() => {});
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("an upload to a full disk fails with IO_ERROR, is not listed, and a retry works", async () => {
  await using disk = await smallDisk(512 * 1024);
  const home = disk.path;
  let gpmd = await TestGpmd.start(home);
  try {
    const module = `${MODULES_DIR}/hello.wasm`;
    const upload = () =>
      runGvm(
        [
          "wasm",
          "upload",
          "--gpmd",
          gpmd.address,
          "--name=hello",
          "--version=v1",
          `--file=${module}`,
        ],
        { home },
      );
    const list = async () =>
      (await runGvm(["wasm", "list", "--gpmd", gpmd.address], { home })).stdout;
    // Leave room for the module's bytes and nothing after them: the index cannot follow.
    const free = Number((await sh("df", "-B1", "--output=avail", home)).trim().split("\n").pop());
    const pages = Math.ceil((await Deno.stat(module)).size / 4096);
    await Deno.writeFile(`${home}/filler`, new Uint8Array(free - pages * 4096));

    const failed = await upload();
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stderr, /^error: IO_ERROR: Cannot store hello v1: /);
    assert.doesNotMatch(await list(), /hello/);

    await Deno.remove(`${home}/filler`);
    const retried = await upload();
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(await list(), /^hello +v1 /m);

    gpmd.kill();
    await gpmd.exit();
    gpmd = await TestGpmd.start(home);
    assert.match(await list(), /^hello +v1 /m);
  } finally {
    await gpmd[Symbol.asyncDispose]();
  }
});
