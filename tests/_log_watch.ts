// Log lines from a `log` callback (a GPMD link, a peer directory), and a way to wait for one.

/** Collects what `log` is given; `until()` waits for a line matching a pattern. */
export function logWatch() {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  return {
    lines,
    log(line: string) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    /**
     * Resolves once a line matches `pattern`: a line logged already counts, unless `newOnly`
     * (then only lines logged after this call do).
     */
    until(pattern: RegExp, options: { newOnly?: boolean } = {}): Promise<void> {
      if (!options.newOnly && lines.some((line) => pattern.test(line))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}
