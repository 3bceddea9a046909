import { loadCookie } from "../cookie.ts";
import { GpmdClient, parseGpmdAddress } from "../gpmd/client.ts";
import type { HomePaths } from "../home.ts";
import { loadTls } from "../protocol/transport.ts";
import type { ClientFlags } from "./args.ts";

/** Connects the CLI to `--gpmd`, else `GPMD_ADDR`, else the default GPMD, with the home's cookie. */
export async function connectGpmd(home: HomePaths, flags: ClientFlags): Promise<GpmdClient> {
  return await GpmdClient.connect({
    address: parseGpmdAddress(flags.gpmd ?? Deno.env.get("GPMD_ADDR")),
    cookie: await loadCookie(home),
    tls: await loadTls(flags.tls),
  });
}
