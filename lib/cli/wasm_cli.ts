import { GvmError } from "../errors.ts";
import type { HomePaths } from "../home.ts";
import type { ClientFlags } from "./args.ts";
import { connectGpmd } from "./connect.ts";
import { say } from "./output.ts";

/** `gvm wasm upload --name --version --file`. */
export async function wasmUpload(
  home: HomePaths,
  options: { client: ClientFlags; name: string; version: string; file: string },
): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(options.file);
  } catch (error) {
    throw new GvmError("IO_ERROR", `Cannot read ${options.file}: ${(error as Error).message}`);
  }
  await using client = await connectGpmd(home, options.client);
  const reply = await client.upload(options.name, options.version, bytes);
  say(
    `Uploaded ${options.name} ${options.version} (${bytes.length} bytes, sha256 ${reply.sha256})`,
  );
  return 0;
}

/** `gvm wasm rm --name --version`. */
export async function wasmRemove(
  home: HomePaths,
  options: { client: ClientFlags; name: string; version: string },
): Promise<number> {
  await using client = await connectGpmd(home, options.client);
  await client.removeModule(options.name, options.version);
  say(`Removed ${options.name} ${options.version}`);
  return 0;
}

/** `gvm wasm list`. */
export async function wasmList(home: HomePaths, client: ClientFlags): Promise<number> {
  await using gpmd = await connectGpmd(home, client);
  const modules = await gpmd.listModules();
  if (modules.length === 0) {
    say(
      "No modules stored. Add one with: gvm wasm upload --name=NAME --version=v0.0.1 --file=PATH",
    );
    return 0;
  }
  const width = Math.max(4, ...modules.map((m) => m.name.length)) + 2;
  say(`${"NAME".padEnd(width)}LATEST    VERSIONS`);
  for (const m of modules) {
    say(`${m.name.padEnd(width)}${m.latest.padEnd(10)}${m.versions.join(", ")}`);
  }
  return 0;
}
