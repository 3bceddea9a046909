// `gvm run FILE.wasm [ARGS...]`: one shot, no GPMD, like `wasmtime run`. stdout carries only the
// program's output (and --invoke results, one per line); the exit status is the program's own.
import { exitStatusOf, formatError, GvmError, isErrorCode } from "../errors.ts";
import { secondsText } from "../wasm/limit_text.ts";
import { capMemory } from "../wasm/memory_cap.ts";
import { readModuleInfo, type ValType } from "../wasm/signatures.ts";
import { type CallArg, formatResults, toWasmParams } from "../wasm/values.ts";
import type { Entry } from "../wasm/sandbox_messages.ts";
import type { RunCliOptions } from "./run_args.ts";
import type { RunJob, RunOutcome } from "./run_worker.ts";
import { complain, say } from "./output.ts";

const PAGE_BYTES = 65_536;

/**
 * Runs `options.file` and resolves with the exit status: 0, the program's `proc_exit` code, or
 * 1 (2 for bad flags) with one `error: CODE: message` line on stderr.
 *
 * @example
 * ```ts
 * Deno.exit(await runWasm(parseRunArgs(["hello.wasm"])));
 * ```
 */
export async function runWasm(options: RunCliOptions): Promise<number> {
  const bytes = await Deno.readFile(options.file).catch((error) => {
    throw new GvmError("MODULE_NOT_FOUND", `Cannot read ${options.file}: ${error.message}`);
  });
  if (!WebAssembly.validate(bytes)) {
    throw new GvmError("BAD_MODULE", `${options.file} is not a valid WebAssembly module`);
  }
  const dirs = [];
  for (const dir of options.dirs) {
    const host = await Deno.realPath(dir.host).catch(() => undefined);
    const isDir = host !== undefined && (await Deno.stat(host)).isDirectory;
    if (!isDir) throw new GvmError("BAD_FLAGS", `--dir ${dir.host}: not a folder`);
    dirs.push({ host, guest: dir.guest });
  }
  const maxPages = Math.floor((options.maxMemoryMiB ?? 4096) * 1024 * 1024 / PAGE_BYTES);
  const moduleName = options.file;
  const { entry, types } = plan(bytes, options);
  const job: RunJob = {
    bytes: capMemory(bytes, maxPages, moduleName),
    request: { type: "run", moduleName, entry, env: options.env, maxPages, dirs },
  };
  const outcome = await runInWorker(job, options.timeoutSeconds);
  if (outcome.ok) {
    for (const [i, value] of outcome.values.entries()) say(formatResults([types[i]], [value]));
    return 0;
  }
  const code = isErrorCode(outcome.code) ? outcome.code : "INTERNAL";
  const error = new GvmError(code, outcome.message, { exitCode: outcome.exitCode });
  // A program that exits with a code has said all it meant to; wasmtime prints nothing either.
  if (code !== "EXIT_CODE") complain(formatError(error));
  return exitStatusOf(error);
}

function plan(bytes: Uint8Array, options: RunCliOptions): { entry: Entry; types: ValType[] } {
  const info = readModuleInfo(bytes);
  if (options.invoke === undefined) {
    if (!info.functions.has("_start") && !info.functions.has("main")) {
      throw new GvmError(
        "EXPORT_NOT_FOUND",
        `${options.file} has no _start or main; use --invoke with one of its exports`,
      );
    }
    return { entry: { kind: "command", argv: [options.file, ...options.args] }, types: [] };
  }
  const fn = options.invoke;
  const sig = info.functions.get(fn);
  if (!sig) throw new GvmError("EXPORT_NOT_FOUND", `${options.file} has no export named ${fn}`);
  const params = toWasmParams(fn, sig, options.args.map(toCallArg));
  return { entry: { kind: "export", fn, params }, types: sig.results };
}

// Arguments of --invoke are read as the prompt reads them: integers, floats, else text.
function toCallArg(text: string): CallArg {
  if (/^[+-]?(0x[0-9a-f]+|\d+)$/i.test(text)) {
    const negative = text.startsWith("-");
    const magnitude = BigInt(text.replace(/^[+-]/, ""));
    return { type: "int", value: negative ? -magnitude : magnitude };
  }
  const number = Number(text);
  if (text.trim() !== "" && !Number.isNaN(number)) return { type: "float", value: number };
  if (/^(nan|[+-]?inf)$/i.test(text)) {
    return {
      type: "float",
      value: text.toLowerCase() === "nan" ? NaN : text.startsWith("-") ? -Infinity : Infinity,
    };
  }
  return { type: "string", value: text };
}

function runInWorker(job: RunJob, timeoutSeconds: number | undefined): Promise<RunOutcome> {
  const worker = new Worker(new URL("./run_worker.ts", import.meta.url), { type: "module" });
  return new Promise<RunOutcome>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeoutSeconds !== undefined) {
      timer = setTimeout(() => {
        resolve({
          ok: false,
          code: "TIMEOUT",
          message: `${job.request.moduleName} ran past its ${
            secondsText(timeoutSeconds * 1000)
          } limit`,
        });
      }, timeoutSeconds * 1000);
    }
    worker.onmessage = (event: MessageEvent<RunOutcome>) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      resolve({ ok: false, code: "INTERNAL", message: event.message });
    };
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}
