// The thread `gvm run` runs its module on, so the main thread stays free to enforce --timeout
// (and end the process) while wasm spins. Output goes straight to this process's stdout/stderr.
import { toGvmError } from "../errors.ts";
import { OutputCoalescer } from "../wasm/output_coalescer.ts";
import { type RunRequest } from "../wasm/sandbox_messages.ts";
import type { WasmValue } from "../wasm/values.ts";
import { processStdin, runEntry, WasiHost } from "../wasm/wasi_run.ts";
import { writeAll } from "../wasm/wasi/fd_calls.ts";
import type { ImportEntry } from "../wasm/module_reader.ts";

/** Main thread → worker: one run. */
export interface RunJob {
  bytes: Uint8Array;
  /** The module's imports, as the module reader read them (for the WASI import check). */
  imports: ImportEntry[];
  request: Omit<RunRequest, "callId" | "hash" | "keep">;
}

/** Worker → main thread: how it went. */
export type RunOutcome =
  | { ok: true; values: WasmValue[] }
  | { ok: false; code: string; message: string; exitCode?: number };

// At the end nobody is left to tell of a reader that has gone.
function flushQuietly(output: OutputCoalescer): void {
  try {
    output.flush();
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

function run({ bytes, imports, request }: RunJob): RunOutcome {
  try {
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    const host = new WasiHost();
    // Lines gathered into few writes (a system call per line made 200,000 lines slow). Whoever
    // read our output may have gone (`gvm run x.wasm | head`): the BrokenPipe goes on to the
    // program as EPIPE from its next fd_write, as under wasmtime, so a `yes` stops.
    const output = new OutputCoalescer((fd, data) =>
      writeAll(fd === 1 ? Deno.stdout : Deno.stderr, data)
    );
    host.prepare(request, (fd, data) => output.write(fd, data), request.dirs, {
      stdin: processStdin(),
      // What was printed shows before the program sleeps or waits for its input.
      beforeEffect: () => output.flush(),
    });
    try {
      const values = runEntry(
        host.instantiate(module, request.moduleName, imports),
        request,
      );
      return { ok: true, values };
    } finally {
      host.release();
      flushQuietly(output);
    }
  } catch (error) {
    const err = toGvmError(error);
    return { ok: false, code: err.code, message: err.message, exitCode: err.exitCode };
  }
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (event: MessageEvent<RunJob>) => scope.postMessage(run(event.data));
