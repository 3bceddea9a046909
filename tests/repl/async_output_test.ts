import assert from "node:assert/strict";
import { AsyncOutput, type ByteSink } from "../../lib/repl/async_output.ts";

/** A sink that takes nothing until released, like a pipe nobody reads. */
function stalledSink(): ByteSink & { release(): void; written: number } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const sink = {
    written: 0,
    release: () => resolve(),
    async write(data: Uint8Array): Promise<number> {
      await promise;
      sink.written += data.length;
      return data.length;
    },
  };
  return sink;
}

Deno.test("AsyncOutput.write() returns at once under the cap and waits past it", async () => {
  const sink = stalledSink();
  const out = new AsyncOutput(sink, { capBytes: 10 });
  await out.write(new Uint8Array(8)); // Under the cap: resolves though nothing was written.
  let waited = true;
  const over = out.write(new Uint8Array(8)).then(() => waited = false);
  await Promise.resolve();
  assert.equal(waited, true);
  assert.equal(out.offer(new Uint8Array(4)), false, "full: offered bytes are dropped");
  assert.equal(out.dropped, 4);
  sink.release();
  await over;
  await out.flush();
  assert.equal(sink.written, 16);
  assert.equal(out.queued, 0);
});

Deno.test("AsyncOutput drops everything once its reader has gone", async () => {
  const out = new AsyncOutput({ write: () => Promise.reject(new Deno.errors.BrokenPipe()) });
  await out.write(new Uint8Array(4));
  await out.flush();
  await out.write(new Uint8Array(4));
  assert.equal(out.queued, 0);
});
