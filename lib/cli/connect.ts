import { loadCookie } from "../cookie.ts";
import { GpmdClient, parseGpmdAddress } from "../gpmd/client.ts";
import type { HomePaths } from "../home.ts";

/** Connects the CLI to `--gpmd`, else `GPMD_ADDR`, else the default GPMD, with the home's cookie. */
export async function connectGpmd(home: HomePaths, gpmd: string | undefined): Promise<GpmdClient> {
  return await GpmdClient.connect({
    address: parseGpmdAddress(gpmd ?? Deno.env.get("GPMD_ADDR")),
    cookie: await loadCookie(home),
  });
}
