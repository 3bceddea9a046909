/** Where GVM keeps everything on disk: `GHOST_HOME`, else `~/.ghost-network`. */
export interface HomePaths {
  /** The ghost home folder itself. */
  root: string;
  /** The cookie file: the shared secret of GPMD and nodes. */
  cookie: string;
  /** The running GPMD's pid and address (`gvm gpmd start`). */
  pidFile: string;
  /** The log of GPMD started by `gvm gpmd start`. */
  logFile: string;
  /** The prompt's line history. */
  history: string;
  /** Headless nodes' pid files and logs (`gvm --detached`). */
  nodesDir: string;
  /** GPMD's module store: module bodies by content hash, with a record per version. */
  modulesDir: string;
  /** The module store's index (name → version → body). */
  modulesIndex: string;
}

/**
 * Resolves the paths under the ghost home.
 *
 * @example
 * ```ts
 * const home = homePaths(); // uses GHOST_HOME when set
 * home.cookie; // "/home/me/.ghost-network/cookie"
 * ```
 */
export function homePaths(root: string = defaultHome()): HomePaths {
  return {
    root,
    cookie: `${root}/cookie`,
    pidFile: `${root}/gpmd.pid`,
    logFile: `${root}/gpmd.log`,
    history: `${root}/history`,
    nodesDir: `${root}/nodes`,
    modulesDir: `${root}/modules`,
    modulesIndex: `${root}/ghost.modules.json`,
  };
}

function defaultHome(): string {
  const fromEnv = Deno.env.get("GHOST_HOME");
  if (fromEnv) return fromEnv;
  const userHome = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${userHome}/.ghost-network`;
}

/** Creates the home folder (private to the user) if it is missing. */
export async function ensureHome(home: HomePaths): Promise<void> {
  await Deno.mkdir(home.root, { recursive: true, mode: 0o700 });
}
