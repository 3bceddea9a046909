// An in-process GPMD on a free port in a temp GHOST_HOME, for gpmd tests.
import { loadCookie } from "../../lib/cookie.ts";
import { GpmdServer, type GpmdServerOptions } from "../../lib/gpmd/server.ts";
import { type HomePaths, homePaths } from "../../lib/home.ts";

/** A running GPMD, its home and cookie; disposing stops it and removes the home. */
export interface TestGpmd extends AsyncDisposable {
  server: GpmdServer;
  home: HomePaths;
  cookie: string;
  address: { host: string; port: number };
  log: string[];
}

/** Starts a GPMD in a new temp home; `options` add to or override the defaults. */
export async function startGpmd(options: Partial<GpmdServerOptions> = {}): Promise<TestGpmd> {
  const root = await Deno.makeTempDir({ prefix: "gvm-gpmd-test-" });
  const home = homePaths(root);
  const cookie = options.cookie ?? await loadCookie(home);
  const log: string[] = [];
  const server = await GpmdServer.start({
    port: 0,
    home,
    cookie,
    log: (line) => log.push(line),
    ...options,
  });
  return {
    server,
    home,
    cookie,
    address: { host: "127.0.0.1", port: server.port },
    log,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}
