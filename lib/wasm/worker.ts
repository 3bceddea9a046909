/// <reference lib="deno.worker" />
// Runs wasm off the main thread, so a module that never returns can be terminated without
// freezing the node's prompt, its peers or its GPMD link.
import { GvmError } from "../errors.ts";
import { runEntry, WasiHost, type WasiInstance } from "./wasi_run.ts";
import type { RunRequest, WorkerReply } from "./worker_protocol.ts";

const host = new WasiHost();
const modules = new Map<string, WebAssembly.Module>();
// Instances kept across calls when the caller asked for it (library API opt-in).
const kept = new Map<string, WasiInstance>();

function post(reply: WorkerReply): void {
  self.postMessage(reply);
}

function instanceFor(module: WebAssembly.Module, request: RunRequest): WasiInstance {
  const live = request.keep ? kept.get(request.hash) : undefined;
  if (live) return live;
  const instance = host.instantiate(module, request.moduleName);
  if (request.keep) kept.set(request.hash, instance);
  return instance;
}

self.onmessage = (event: MessageEvent<RunRequest>) => {
  const request = event.data;
  const { callId } = request;
  try {
    if (request.module) modules.set(request.hash, request.module);
    const module = modules.get(request.hash);
    if (!module) throw new GvmError("INTERNAL", `Worker lacks module ${request.hash}`);
    host.prepare(request, (fd, data) => post({ type: "out", callId, fd, data }));
    const instance = instanceFor(module, request);
    post({ type: "done", callId, values: runEntry(instance, request) });
  } catch (error) {
    kept.delete(request.hash); // A trap may leave a kept instance half-updated.
    const err = error instanceof GvmError ? error : new GvmError("INTERNAL", String(error));
    post({ type: "fail", callId, code: err.code, message: err.message });
  }
};
