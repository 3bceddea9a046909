// Captures what CLI commands print with say() and complain() (synchronous writes to stdout and
// stderr), so a command can run in the test process.

/** What a command printed, and what it returned. */
export interface Captured<T> {
  value: T;
  stdout: string;
  stderr: string;
}

type SyncWriter = { writeSync(data: Uint8Array): number };

/** Runs `fn` with stdout's and stderr's synchronous writes recorded instead of written. */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const decoder = new TextDecoder();
  const streams = [Deno.stdout, Deno.stderr] as unknown as SyncWriter[];
  const saved = streams.map((stream) => stream.writeSync);
  const text = ["", ""];
  streams.forEach((stream, i) => {
    stream.writeSync = (data) => {
      text[i] += decoder.decode(data);
      return data.length;
    };
  });
  try {
    const value = await fn();
    return { value, stdout: text[0], stderr: text[1] };
  } finally {
    streams.forEach((stream, i) => stream.writeSync = saved[i]);
  }
}
