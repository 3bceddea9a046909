/// <reference lib="deno.worker" />
// Runs wasm off the main thread, so a module that never returns can be terminated without
// freezing the node's prompt, its peers or its GPMD link.
import { GvmError } from "../errors.ts";
import { MappedDir } from "./dir_map.ts";
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
    const dirs = request.dirs.map((mapping) => MappedDir.open(mapping));
    const write = (fd: 1 | 2, data: Uint8Array) => post({ type: "out", callId, fd, data });
    host.prepare(request, write, dirs.map((dir) => dir.preopen));
    const instance = instanceFor(module, request);
    let values;
    try {
      values = runEntry(instance, request);
    } finally {
      for (const dir of dirs) dir.syncBack();
    }
    post({ type: "done", callId, values });
  } catch (error) {
    kept.delete(request.hash); // A trap may leave a kept instance half-updated.
    const err = error instanceof GvmError ? error : new GvmError("INTERNAL", String(error));
    post({ type: "fail", callId, code: err.code, message: err.message });
  }
};
