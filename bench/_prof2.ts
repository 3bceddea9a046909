import { instantiateWasi, runEntry } from "/work/main/lib/wasm/wasi_run.ts";
const module = await WebAssembly.compile(await Deno.readFile("/work/main/modules/math.wasm"));
const req = { moduleName: "math", env: [], maxPages: 4096, entry: { kind: "export" as const, fn: "mul", params: [{ type: "i32" as const, value: 1 }, { type: "i32" as const, value: 2 }] } };
const n = 5000;
for (let i = 0; i < 500; i++) runEntry(instantiateWasi(module, req, () => {}), req);
let t0 = performance.now();
for (let i = 0; i < n; i++) instantiateWasi(module, req, () => {});
console.log("instantiateWasi", ((performance.now() - t0) * 1000 / n).toFixed(1));
t0 = performance.now();
for (let i = 0; i < n; i++) new WebAssembly.Instance(module, { wasi_snapshot_preview1: { fd_write: () => 0 } });
console.log("bare Instance", ((performance.now() - t0) * 1000 / n).toFixed(1));
// worker echo round trip
const w = new Worker(URL.createObjectURL(new Blob(["self.onmessage = (e) => self.postMessage(e.data)"], {type: "text/javascript"})), { type: "module" });
await new Promise((r) => { w.onmessage = r; w.postMessage(1); });
t0 = performance.now();
for (let i = 0; i < n; i++) await new Promise((r) => { w.onmessage = r; w.postMessage({ a: 1, b: [1, 2] }); });
console.log("worker echo", ((performance.now() - t0) * 1000 / n).toFixed(1));
w.terminate();
