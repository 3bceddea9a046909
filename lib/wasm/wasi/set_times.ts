// fd_filestat_set_times and path_filestat_set_times: validate the flags, work out the new times
// (given, now, or unchanged), write them, and remember the exact nanoseconds (see TimeOverlay).
import { lutimesSync } from "node:fs";
import { check, Errno } from "./errno.ts";
import { realtimeNs } from "./clocks.ts";
import { effect, type WasiState } from "./state.ts";

/** fstflags bits. */
export const FstFlags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;

function toDate(ns: bigint): Date {
  // Floor to the millisecond Deno keeps, also for times before 1970.
  const ms = ns >= 0n ? ns / 1_000_000n : -((-ns + 999_999n) / 1_000_000n);
  return new Date(Number(ms));
}

/** A symlink itself, not what it points to. */
export interface LinkTarget {
  link: string;
}

/** Checks `flags` and sets the times of an open file, a path, or a symlink itself. */
export function setTimes(
  s: WasiState,
  target: Deno.FsFile | string | LinkTarget,
  atim: bigint,
  mtim: bigint,
  flags: number,
): void {
  const F = FstFlags;
  check((flags & ~0xf) === 0, Errno.INVAL);
  check(!((flags & F.ATIM) && (flags & F.ATIM_NOW)), Errno.INVAL);
  check(!((flags & F.MTIM) && (flags & F.MTIM_NOW)), Errno.INVAL);
  const stat = () =>
    typeof target === "string"
      ? Deno.statSync(target)
      : "link" in target
      ? Deno.lstatSync(target.link)
      : target.statSync();
  const current = s.times.of(stat());
  const now = realtimeNs();
  const a = flags & F.ATIM ? BigInt.asUintN(64, atim) : flags & F.ATIM_NOW ? now : current.atim;
  const m = flags & F.MTIM ? BigInt.asUintN(64, mtim) : flags & F.MTIM_NOW ? now : current.mtim;
  effect(s);
  if (typeof target === "string") Deno.utimeSync(target, toDate(a), toDate(m));
  // Deno has no lutime of its own; its node:fs one sets a link's times, not its target's.
  else if ("link" in target) lutimesSync(target.link, toDate(a), toDate(m));
  else target.utimeSync(toDate(a), toDate(m));
  s.times.remember(stat(), a, m);
}
