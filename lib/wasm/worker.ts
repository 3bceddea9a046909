/// <reference lib="deno.worker" />
// Runs wasm off the main thread, so a module that never returns can be terminated without
// freezing the node's prompt, its peers or its GPMD link.
import { GvmError } from "../errors.ts";
import { instantiateWasi, runEntry } from "./wasi_run.ts";
import type { RunRequest, WorkerReply } from "./worker_protocol.ts";

const modules = new Map<string, WebAssembly.Module>();

function post(reply: WorkerReply): void {
  self.postMessage(reply);
}

self.onmessage = (event: MessageEvent<RunRequest>) => {
  const request = event.data;
  const { callId } = request;
  try {
    if (request.module) modules.set(request.hash, request.module);
    const module = modules.get(request.hash);
    if (!module) throw new GvmError("INTERNAL", `Worker lacks module ${request.hash}`);
    const instance = instantiateWasi(module, request, (fd, data) => {
      post({ type: "out", callId, fd, data });
    });
    post({ type: "done", callId, values: runEntry(instance, request) });
  } catch (error) {
    const err = error instanceof GvmError ? error : new GvmError("INTERNAL", String(error));
    post({ type: "fail", callId, code: err.code, message: err.message });
  }
};
