// The WASI preview 1 behaviours the suite and real programs rely on, call by call.
import assert from "node:assert/strict";
import { DIR_RIGHTS, Rights as R } from "../../../lib/wasm/wasi/rights.ts";
import { bytesStdin } from "../../../lib/wasm/wasi/stdin.ts";
import { Errno, Guest, sandboxDirs } from "./_guest.ts";

const CREAT = 1;
const APPEND = 1;

Deno.test("fd_fdstat_get reports rights, and rights only shrink", async () => {
  await using dirs = await sandboxDirs();
  const guest = new Guest(dirs.root);
  const stat = guest.alloc(24);
  assert.equal(guest.wasi.fd_fdstat_get(3, stat), Errno.SUCCESS);
  assert.equal(guest.view.getUint8(stat), 3); // directory
  assert.equal(guest.view.getBigUint64(stat + 8, true), DIR_RIGHTS);
  const [, fd] = guest.open("f.txt", { oflags: CREAT, rights: R.FD_READ | R.FD_SEEK });
  assert.equal(guest.wasi.fd_fdstat_get(fd, stat), Errno.SUCCESS);
  assert.equal(guest.view.getUint8(stat), 4); // regular file
  assert.equal(guest.view.getBigUint64(stat + 8, true), R.FD_READ | R.FD_SEEK);
  assert.equal(guest.write(fd, "x"), Errno.NOTCAPABLE);
  assert.equal(guest.wasi.fd_fdstat_set_rights(fd, R.FD_SEEK, 0n), Errno.SUCCESS);
  assert.equal(guest.read(fd)[0], Errno.NOTCAPABLE);
  assert.equal(guest.wasi.fd_fdstat_set_rights(fd, R.FD_SEEK | R.FD_READ, 0n), Errno.NOTCAPABLE);
});

Deno.test("append mode writes at the end even after a seek, and can be turned off", async () => {
  await using dirs = await sandboxDirs();
  const guest = new Guest(dirs.root);
  const [, fd] = guest.open("log.txt", { oflags: CREAT, fdflags: APPEND });
  assert.equal(guest.write(fd, "one "), Errno.SUCCESS);
  assert.deepEqual(guest.seek(fd, 0n, 0), [Errno.SUCCESS, 0n]);
  assert.equal(guest.write(fd, "two"), Errno.SUCCESS);
  assert.equal(await Deno.readTextFile(`${dirs.root}/log.txt`), "one two");
  assert.equal(guest.wasi.fd_fdstat_set_flags(fd, 0), Errno.SUCCESS);
  guest.seek(fd, 0n, 0);
  assert.equal(guest.write(fd, "ONE"), Errno.SUCCESS);
  assert.equal(await Deno.readTextFile(`${dirs.root}/log.txt`), "ONE two");
});

Deno.test("file times: real ones are reported, and set ones read back to the nanosecond", async () => {
  await using dirs = await sandboxDirs();
  await Deno.writeTextFile(`${dirs.root}/t.txt`, "t");
  const before = (await Deno.stat(`${dirs.root}/t.txt`)).mtime!.getTime();
  const guest = new Guest(dirs.root);
  const [errno, mtim] = guest.stat("t.txt");
  assert.equal(errno, Errno.SUCCESS);
  assert.equal(mtim, BigInt(before) * 1_000_000n);
  const wanted = mtim - 123n;
  const [ptr, len] = guest.str("t.txt");
  assert.equal(guest.wasi.path_filestat_set_times(3, 1, ptr, len, 0n, wanted, 4), Errno.SUCCESS);
  assert.equal(guest.stat("t.txt")[1], wanted);
  // On the host the file holds the millisecond the time falls in.
  const host = (await Deno.stat(`${dirs.root}/t.txt`)).mtime!.getTime();
  assert.equal(BigInt(host), wanted / 1_000_000n);
  // Both ATIM and ATIM_NOW is a contradiction.
  assert.equal(guest.wasi.path_filestat_set_times(3, 1, ptr, len, 0n, 0n, 3), Errno.INVAL);
});

Deno.test("path_symlink and path_readlink; path_link onto an existing name is EEXIST", async () => {
  await using dirs = await sandboxDirs();
  await Deno.writeTextFile(`${dirs.root}/file`, "data");
  const guest = new Guest(dirs.root);
  assert.equal(guest.wasi.path_symlink(...guest.str("file"), 3, ...guest.str("link")), 0);
  const buf = guest.alloc(64);
  const used = guest.alloc(4);
  assert.equal(guest.wasi.path_readlink(3, ...guest.str("link"), buf, 64, used), 0);
  const got = new Uint8Array(guest.memory.buffer, buf, guest.view.getUint32(used, true));
  assert.equal(new TextDecoder().decode(got), "file");
  assert.equal(guest.wasi.path_readlink(3, ...guest.str("file"), buf, 64, used), Errno.INVAL);
  const link = (to: string) =>
    guest.wasi.path_link(3, 0, ...guest.str("file"), 3, ...guest.str(to));
  assert.equal(link("hard"), Errno.SUCCESS);
  assert.equal(link("link"), Errno.EXIST);
  assert.equal(link("hard"), Errno.EXIST);
  assert.equal((await Deno.stat(`${dirs.root}/file`)).nlink, 2);
});

Deno.test("rename to `name/` works for a folder and is NOTDIR for a file", async () => {
  await using dirs = await sandboxDirs();
  await Deno.mkdir(`${dirs.root}/dir`);
  await Deno.writeTextFile(`${dirs.root}/file`, "f");
  const guest = new Guest(dirs.root);
  const rename = (from: string, to: string) =>
    guest.wasi.path_rename(3, ...guest.str(from), 3, ...guest.str(to));
  assert.equal(rename("dir", "moved/"), Errno.SUCCESS);
  assert.ok((await Deno.stat(`${dirs.root}/moved`)).isDirectory);
  assert.equal(rename("file", "other/"), Errno.NOTDIR);
  assert.equal(rename("file/", "other"), Errno.NOTDIR);
});

Deno.test("poll_oneoff takes several subscriptions: ready fds now, else the earliest clock", () => {
  const guest = new Guest(Deno.cwd());
  const subs = guest.alloc(48 * 3);
  const clock = (i: number, userdata: bigint, ns: bigint) => {
    guest.view.setBigUint64(subs + i * 48, userdata, true);
    guest.view.setUint8(subs + i * 48 + 8, 0);
    guest.view.setUint32(subs + i * 48 + 16, 1, true); // monotonic
    guest.view.setBigUint64(subs + i * 48 + 24, ns, true);
    guest.view.setUint16(subs + i * 48 + 40, 0, true);
  };
  clock(0, 10n, 5_000_000_000n);
  clock(1, 11n, 20_000_000n);
  const events = guest.alloc(32 * 3);
  const count = guest.alloc(4);
  const started = performance.now();
  assert.equal(guest.wasi.poll_oneoff(subs, events, 2, count), Errno.SUCCESS);
  assert.ok(performance.now() - started < 4000, "woke at the earliest clock");
  assert.equal(guest.view.getUint32(count, true), 1);
  assert.equal(guest.view.getBigUint64(events, true), 11n);
  // With stdout writable, the fd event comes at once and the clocks do not fire.
  guest.view.setBigUint64(subs + 96, 12n, true);
  guest.view.setUint8(subs + 104, 2); // fd_write
  guest.view.setUint32(subs + 112, 1, true);
  assert.equal(guest.wasi.poll_oneoff(subs, events, 3, count), Errno.SUCCESS);
  assert.equal(guest.view.getUint32(count, true), 1);
  assert.equal(guest.view.getBigUint64(events, true), 12n);
  assert.equal(guest.view.getUint8(events + 10), 2);
});

Deno.test("sock_* return errnos rather than trapping", () => {
  const guest = new Guest(Deno.cwd());
  assert.equal(guest.wasi.sock_shutdown(1, 3), Errno.NOTSOCK);
  assert.equal(guest.wasi.sock_shutdown(99, 3), Errno.BADF);
  assert.equal(guest.wasi.sock_accept(1, 0, guest.alloc(4)), Errno.NOTSOCK);
  assert.equal(guest.wasi.sock_send(1, 0, 0, 0, guest.alloc(4)), Errno.NOTSOCK);
});

Deno.test("beforeEffect runs before a change to the world, and refusing stops it", async () => {
  await using dirs = await sandboxDirs();
  await Deno.writeTextFile(`${dirs.root}/kept.txt`, "kept");
  const guest = new Guest(dirs.root);
  const seen: string[] = [];
  guest.call.beforeEffect = () => {
    seen.push("effect");
    throw new Error("refused");
  };
  // Reading, stat-ing and writing to stdout are no effects.
  const [, fd] = guest.open("kept.txt", { rights: R.FD_READ });
  assert.deepEqual(guest.read(fd), [Errno.SUCCESS, "kept"]);
  assert.equal(guest.write(1, "out"), Errno.SUCCESS);
  assert.deepEqual(seen, []);
  assert.throws(() => guest.open("new.txt", { oflags: CREAT }), /refused/);
  const [ptr, len] = guest.str("kept.txt");
  assert.throws(() => guest.wasi.path_unlink_file(3, ptr, len), /refused/);
  assert.deepEqual(seen, ["effect", "effect"]);
  await assert.rejects(Deno.stat(`${dirs.root}/new.txt`));
  assert.equal(await Deno.readTextFile(`${dirs.root}/kept.txt`), "kept");
});

Deno.test("stdin: empty by default, the caller's bytes when given", () => {
  const guest = new Guest(Deno.cwd());
  assert.deepEqual(guest.read(0), [Errno.SUCCESS, ""]);
  guest.call.stdin = bytesStdin(new TextEncoder().encode("hello"));
  assert.deepEqual(guest.read(0, 3), [Errno.SUCCESS, "hel"]);
  assert.deepEqual(guest.read(0), [Errno.SUCCESS, "lo"]);
  assert.deepEqual(guest.read(0), [Errno.SUCCESS, ""]);
  assert.equal(guest.read(1)[0], Errno.BADF);
});

Deno.test("beforeEffect also hears of a poll_oneoff sleep, which would block the thread", () => {
  const guest = new Guest(Deno.cwd());
  const subs = guest.alloc(48);
  guest.view.setBigUint64(subs, 1n, true);
  guest.view.setUint8(subs + 8, 0); // clock
  guest.view.setUint32(subs + 16, 1, true);
  guest.view.setBigUint64(subs + 24, 50_000_000n, true);
  guest.call.beforeEffect = () => {
    throw new Error("would block");
  };
  assert.throws(
    () => guest.wasi.poll_oneoff(subs, guest.alloc(32), 1, guest.alloc(4)),
    /would block/,
  );
  // A clock already due does not sleep, so it is no reason to move.
  guest.view.setBigUint64(subs + 24, 0n, true);
  assert.equal(guest.wasi.poll_oneoff(subs, guest.alloc(32), 1, guest.alloc(4)), Errno.SUCCESS);
});
