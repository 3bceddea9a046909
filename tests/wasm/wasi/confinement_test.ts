// No path, `..`, absolute path or symlink (one already in the folder or one the module makes)
// reaches outside the mapped folder.
import assert from "node:assert/strict";
import { Errno, Guest, sandboxDirs } from "./_guest.ts";

const CREAT = 1;

Deno.test("`..` above the mapped folder is refused, inside it works", async () => {
  await using dirs = await sandboxDirs();
  await Deno.mkdir(`${dirs.root}/sub`);
  await Deno.writeTextFile(`${dirs.root}/a.txt`, "a");
  const guest = new Guest(dirs.root);
  assert.equal(guest.open("../outside/secret.txt")[0], Errno.NOTCAPABLE);
  assert.equal(guest.open("sub/../../outside/secret.txt")[0], Errno.NOTCAPABLE);
  assert.equal(guest.open("..", { oflags: 2 })[0], Errno.NOTCAPABLE);
  assert.equal(guest.stat("../outside/secret.txt")[0], Errno.NOTCAPABLE);
  const [errno, fd] = guest.open("sub/../a.txt");
  assert.equal(errno, Errno.SUCCESS);
  assert.deepEqual(guest.read(fd), [Errno.SUCCESS, "a"]);
});

Deno.test("absolute paths are refused", async () => {
  await using dirs = await sandboxDirs();
  const guest = new Guest(dirs.root);
  assert.equal(guest.open(`${dirs.outside}/secret.txt`)[0], Errno.NOTCAPABLE);
  assert.equal(guest.open("/etc/passwd")[0], Errno.NOTCAPABLE);
  const [ptr, len] = guest.str(`${dirs.outside}/made`);
  assert.equal(guest.wasi.path_create_directory(3, ptr, len), Errno.NOTCAPABLE);
  await assert.rejects(Deno.stat(`${dirs.outside}/made`));
});

Deno.test("a symlink already in the folder that points out is not followed out", async () => {
  await using dirs = await sandboxDirs();
  await Deno.symlink(`${dirs.outside}/secret.txt`, `${dirs.root}/abs-link`);
  await Deno.symlink("../outside/secret.txt", `${dirs.root}/rel-link`);
  await Deno.symlink(dirs.outside, `${dirs.root}/dir-link`);
  const guest = new Guest(dirs.root);
  for (const path of ["abs-link", "rel-link", "dir-link/secret.txt"]) {
    assert.equal(guest.open(path)[0], Errno.NOTCAPABLE, path);
    assert.equal(guest.stat(path)[0], Errno.NOTCAPABLE, path);
  }
  // Writing through the folder link must not create or change anything outside.
  assert.equal(guest.open("dir-link/new.txt", { oflags: CREAT })[0], Errno.NOTCAPABLE);
  assert.equal(guest.open("abs-link", { oflags: CREAT | 8 })[0], Errno.NOTCAPABLE);
  await assert.rejects(Deno.stat(`${dirs.outside}/new.txt`));
  assert.equal(await Deno.readTextFile(`${dirs.outside}/secret.txt`), "secret");
  // The link itself can still be looked at and removed, as any file in the folder.
  assert.equal(guest.stat("abs-link", false)[0], Errno.SUCCESS);
  const [ptr, len] = guest.str("abs-link");
  assert.equal(guest.wasi.path_unlink_file(3, ptr, len), Errno.SUCCESS);
  assert.equal(await Deno.readTextFile(`${dirs.outside}/secret.txt`), "secret");
});

Deno.test("a symlink the module makes cannot point out of the folder", async () => {
  await using dirs = await sandboxDirs();
  await Deno.mkdir(`${dirs.root}/sub`);
  const guest = new Guest(dirs.root);
  const link = (target: string, at: string) =>
    guest.wasi.path_symlink(...guest.str(target), 3, ...guest.str(at));
  assert.equal(link(`${dirs.outside}/secret.txt`, "abs"), Errno.NOTCAPABLE);
  assert.equal(link("../outside/secret.txt", "up"), Errno.NOTCAPABLE);
  assert.equal(link("../../outside", "sub/up2"), Errno.NOTCAPABLE);
  for (const name of ["abs", "up", "sub/up2"]) {
    await assert.rejects(Deno.lstat(`${dirs.root}/${name}`), Deno.errors.NotFound);
  }
  // Links that stay inside are fine, and work.
  await Deno.writeTextFile(`${dirs.root}/target.txt`, "inside");
  assert.equal(link("../target.txt", "sub/ok"), Errno.SUCCESS);
  const [errno, fd] = guest.open("sub/ok");
  assert.equal(errno, Errno.SUCCESS);
  assert.deepEqual(guest.read(fd), [Errno.SUCCESS, "inside"]);
});

Deno.test("a symlink made outside the host's checks is still confined when followed", async () => {
  await using dirs = await sandboxDirs();
  await Deno.mkdir(`${dirs.root}/sub`);
  // As if another process planted it after the module started: a chain ending outside.
  await Deno.symlink("../hop", `${dirs.root}/sub/a`);
  await Deno.symlink("outside-ish/../../outside", `${dirs.root}/hop`);
  await Deno.mkdir(`${dirs.root}/outside-ish`);
  const guest = new Guest(dirs.root);
  assert.equal(guest.open("sub/a/secret.txt")[0], Errno.NOTCAPABLE);
  // A loop ends with LOOP, not a hang.
  await Deno.symlink("loop2", `${dirs.root}/loop1`);
  await Deno.symlink("loop1", `${dirs.root}/loop2`);
  assert.equal(guest.open("loop1")[0], Errno.LOOP);
});

Deno.test("renames and links cannot move things out of the folder", async () => {
  await using dirs = await sandboxDirs();
  await Deno.writeTextFile(`${dirs.root}/mine.txt`, "mine");
  const guest = new Guest(dirs.root);
  const rename = (from: string, to: string) =>
    guest.wasi.path_rename(3, ...guest.str(from), 3, ...guest.str(to));
  assert.equal(rename("mine.txt", "../outside/stolen.txt"), Errno.NOTCAPABLE);
  assert.equal(rename("../outside/secret.txt", "here.txt"), Errno.NOTCAPABLE);
  const link = (from: string, to: string) =>
    guest.wasi.path_link(3, 1, ...guest.str(from), 3, ...guest.str(to));
  assert.equal(link("../outside/secret.txt", "hard.txt"), Errno.NOTCAPABLE);
  await assert.rejects(Deno.stat(`${dirs.outside}/stolen.txt`));
  await assert.rejects(Deno.stat(`${dirs.root}/hard.txt`));
});
