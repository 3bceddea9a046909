import { loadCookie } from "../cookie.ts";
import { GpmdClient, parseGpmdAddress } from "../gpmd/client.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import type { HomePaths } from "../home.ts";
import { reachableFromHere } from "../names.ts";
import { loadTls } from "../protocol/transport.ts";
import type { ClientFlags } from "./args.ts";

/**
 * Connects the CLI to `--gpmd`, else `GPMD_ADDR`, else the GPMD whose pid file is in this
 * `GHOST_HOME`, else the default GPMD; with the home's cookie.
 *
 * @example
 * ```ts
 * await using client = await connectGpmd(homePaths(), { tls: {} });
 * ```
 */
export async function connectGpmd(home: HomePaths, flags: ClientFlags): Promise<GpmdClient> {
  const given = flags.gpmd ?? (Deno.env.get("GPMD_ADDR") || undefined);
  return await GpmdClient.connect({
    address: given !== undefined ? parseGpmdAddress(given) : await homeGpmd(home),
    cookie: await loadCookie(home),
    tls: await loadTls(flags.tls),
  });
}

/**
 * The address of the GPMD started from `home` (its pid file), else the default. A GPMD started
 * with `--port 0` in another home must not be confused with the one on 5989: stopping the wrong
 * one with a shared cookie would take down someone else's network.
 */
export async function homeGpmd(home: HomePaths): Promise<GpmdAddress> {
  try {
    const { hostname, port } = JSON.parse(await Deno.readTextFile(home.pidFile));
    if (typeof hostname === "string" && Number.isInteger(port)) {
      // A GPMD listening on every address is reached on loopback from its own machine.
      return { host: reachableFromHere(hostname), port };
    }
  } catch {
    // No pid file (no GPMD started from this home) or not ours to read: the default.
  }
  return parseGpmdAddress(undefined);
}
