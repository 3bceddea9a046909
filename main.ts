// gvm: decode the command line, hand it to the piece that does the work, print errors as one line.
import { parseCli, USAGE } from "./lib/cli/args.ts";
import { gpmdStart, gpmdStatus, gpmdStop } from "./lib/cli/gpmd_cli.ts";
import { nodeList, nodeStop } from "./lib/cli/node_admin_cli.ts";
import { runNode } from "./lib/cli/node_cli.ts";
import { runWasm } from "./lib/cli/run_cli.ts";
import { complain, say } from "./lib/cli/output.ts";
import { wasmList, wasmRemove, wasmUpload } from "./lib/cli/wasm_cli.ts";
import { formatError, toGvmError } from "./lib/errors.ts";
import { homePaths } from "./lib/home.ts";
import { VERSION } from "./lib/version.ts";

async function main(argv: string[]): Promise<number> {
  const command = parseCli(argv);
  const home = homePaths();
  switch (command.kind) {
    case "help":
      say(USAGE);
      return 0;
    case "version":
      say(`gvm ${VERSION}`);
      return 0;
    case "node":
      return await runNode(home, command.options);
    case "gpmd-start":
      return await gpmdStart(home, command);
    case "gpmd-stop":
      return await gpmdStop(home, command.client);
    case "gpmd-status":
      return await gpmdStatus(home, command.client);
    case "wasm-upload":
      return await wasmUpload(home, command);
    case "wasm-list":
      return await wasmList(home, command.client);
    case "wasm-rm":
      return await wasmRemove(home, command);
    case "node-list":
      return await nodeList(home);
    case "node-stop":
      return await nodeStop(home, command.name);
    case "run":
      return await runWasm(command.options);
  }
}

if (import.meta.main && Deno.args[0] === "__sandbox") {
  // The compiled binary is also its own wasm sandbox (see lib/wasm/sandbox_process.ts).
  const { runSandbox } = await import("./lib/wasm/sandbox_main.ts");
  await runSandbox();
} else if (import.meta.main) {
  const debug = Deno.args.includes("--debug");
  let status: number;
  try {
    status = await main(Deno.args);
  } catch (error) {
    complain(formatError(error));
    if (debug) complain(String(toGvmError(error).cause ?? toGvmError(error).stack));
    status = toGvmError(error).code === "BAD_FLAGS" ? 2 : 1;
  }
  Deno.exit(status);
}
