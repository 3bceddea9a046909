// The sandbox: a child process that runs wasm calls for a node. A module stuck in an endless
// loop is stopped by killing this process (Deno cannot stop a Worker thread stuck in wasm), and
// the process gets no permissions beyond the folders `--allow-dir` maps.
import { GvmError } from "../errors.ts";
import { FrameDecoder } from "../protocol/frame.ts";
import type { RunRequest, SandboxReply } from "./sandbox_messages.ts";
import { decodeSandboxMessage, encodeSandboxMessage } from "./sandbox_protocol.ts";
import { type ImportEntry, readModule } from "./module_reader.ts";
import { OutputCoalescer } from "./output_coalescer.ts";
import { bytesStdin, runEntry, WasiHost, type WasiInstance } from "./wasi_run.ts";
import { SANDBOX_REQUEST_FRAME_BYTES } from "../limits.ts";

const host = new WasiHost();
const modules = new Map<string, { module: WebAssembly.Module; imports: ImportEntry[] }>();
// Instances kept across calls when the caller asked for it (library API opt-in), the most
// recently used last; beyond this many the oldest is dropped (a fresh one is made if asked).
const MAX_KEPT_INSTANCES = 8;
const kept = new Map<string, WasiInstance>();

function post(reply: SandboxReply): void {
  const frame = encodeSandboxMessage(reply);
  let written = 0;
  // Synchronous on purpose: a module printing faster than the node reads waits here.
  while (written < frame.length) written += Deno.stdout.writeSync(frame.subarray(written));
}

function instanceFor(
  { module, imports }: { module: WebAssembly.Module; imports: ImportEntry[] },
  request: RunRequest,
): WasiInstance {
  const live = request.keep ? kept.get(request.hash) : undefined;
  if (live) {
    kept.delete(request.hash);
    kept.set(request.hash, live);
    return live;
  }
  const instance = host.instantiate(module, request.moduleName, imports);
  if (request.keep) {
    kept.set(request.hash, instance);
    if (kept.size > MAX_KEPT_INSTANCES) kept.delete(kept.keys().next().value!);
  }
  return instance;
}

function run(request: RunRequest, body: Uint8Array): void {
  const { callId } = request;
  // Lines gathered into few `out` frames: one frame per line made printing 200,000 lines slow.
  const output = new OutputCoalescer((fd, data) => post({ type: "out", callId, fd, data }));
  try {
    if (body.length > 0 && !modules.has(request.hash)) {
      const module = new WebAssembly.Module(body as Uint8Array<ArrayBuffer>);
      modules.set(request.hash, { module, imports: readModule(body).imports });
    }
    const module = modules.get(request.hash);
    if (!module) throw new GvmError("INTERNAL", `Sandbox lacks module ${request.hash}`);
    // The mapped folders are used in place: nothing is copied in or out around the call.
    const stdin = request.stdin ? bytesStdin(request.stdin) : undefined;
    host.prepare(request, (fd, data) => output.write(fd, data), request.dirs, {
      stdin,
      // What was printed goes out before the program sleeps, reads or touches the world.
      beforeEffect: () => output.flush(),
    });
    const instance = instanceFor(module, request);
    let values;
    try {
      values = runEntry(instance, request);
    } finally {
      host.release();
    }
    output.flush();
    post({ type: "done", callId, values });
  } catch (error) {
    output.flush();
    kept.delete(request.hash); // A trap may leave a kept instance half-updated.
    const err = error instanceof GvmError ? error : new GvmError("INTERNAL", String(error));
    post({ type: "fail", callId, code: err.code, message: err.message, exitCode: err.exitCode });
  }
}

// The node kills this process to stop a call; if the node itself dies first (even by SIGKILL)
// this process is re-parented, and a watchdog thread, free while wasm spins here, ends it.
function watchParent(): void {
  // Deno.ppid is read afresh on each access, and needs no permission.
  const code = `
    const parent = Deno.ppid;
    setInterval(() => { if (Deno.ppid !== parent) Deno.kill(Deno.pid, "SIGKILL"); }, 250);
  `;
  try {
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    new Worker(url, { type: "module" });
  } catch {
    // No watchdog: the node's own kill on timeout still stops calls.
  }
}

/** Serves run requests from standard input until it closes. */
export async function runSandbox(): Promise<void> {
  watchParent();
  const decoder = new FrameDecoder({ maxFrameBytes: SANDBOX_REQUEST_FRAME_BYTES });
  const buffer = new Uint8Array(256 * 1024);
  while (true) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) break;
    for (const payload of decoder.push(buffer.subarray(0, n))) {
      const { header, bytes } = decodeSandboxMessage<RunRequest>(payload);
      run(header, bytes);
    }
  }
  Deno.exit(0);
}

if (import.meta.main) await runSandbox();
