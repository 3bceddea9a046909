import { GvmError } from "./errors.ts";
import { toHex } from "./hash.ts";
import { ensureHome, type HomePaths } from "./home.ts";

/**
 * Reads the shared secret from `GHOST_HOME/cookie`, creating it (mode 0600) on first use, as
 * Erlang does with `~/.erlang.cookie`. A cookie readable by others is refused.
 *
 * @example
 * ```ts
 * const cookie = await loadCookie(homePaths());
 * ```
 */
export async function loadCookie(home: HomePaths): Promise<string> {
  await ensureHome(home);
  try {
    await createCookie(home.cookie);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      throw new GvmError(
        "COOKIE_ERROR",
        `Cannot create ${home.cookie}: ${(error as Error).message}`,
      );
    }
  }
  const info = await Deno.stat(home.cookie);
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new GvmError(
      "COOKIE_ERROR",
      `Cookie file ${home.cookie} has mode ${mode}; others may read it. Fix with: chmod 600 ${home.cookie}`,
    );
  }
  const cookie = (await Deno.readTextFile(home.cookie)).trim();
  if (cookie.length === 0) {
    throw new GvmError("COOKIE_ERROR", `Cookie file ${home.cookie} is empty`);
  }
  return cookie;
}

async function createCookie(path: string): Promise<void> {
  const secret = toHex(crypto.getRandomValues(new Uint8Array(24)));
  await Deno.writeTextFile(path, secret + "\n", { createNew: true, mode: 0o600 });
}
