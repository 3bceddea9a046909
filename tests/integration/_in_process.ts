// Starts a GPMD and nodes in this process through the library API, on free ports in a given
// GHOST_HOME. Dispose them with `await using`, declared after the home so they close first.
import { GpmdServer, GvmNode, type GvmNodeOptions, homePaths, loadCookie } from "../../mod.ts";

/** A running in-process GPMD, and what a node needs to register with it. */
export interface InProcessGpmd extends AsyncDisposable {
  server: GpmdServer;
  options: { gpmd: { host: string; port: number }; cookie: string };
}

/** Starts a GpmdServer on a free port in `home`, with `cookie` or else that home's own cookie. */
export async function startInProcessGpmd(home: string, cookie?: string): Promise<InProcessGpmd> {
  const paths = homePaths(home);
  cookie ??= await loadCookie(paths);
  const server = await GpmdServer.start({ port: 0, home: paths, cookie });
  return {
    server,
    options: { gpmd: { host: "127.0.0.1", port: server.port }, cookie },
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

/** Starts a node serving `modulesDir` that registers with `gpmd`; `options` add to or override. */
export function startInProcessNode(
  gpmd: InProcessGpmd,
  modulesDir: string,
  options: Partial<GvmNodeOptions> = {},
): Promise<GvmNode> {
  return GvmNode.start({ ...gpmd.options, modulesDir, ...options });
}
