// Waits on a condition that another side makes true (a GPMD noticing a closed connection, a
// peer's first answer), checking it again after each step: no fixed sleeps.

/**
 * Runs `step` until `done()` holds; rejects after `timeoutMs`, naming `what`. Each step should
 * wait on something real (a round trip), so the loop does not spin.
 */
export async function until(
  what: string,
  done: () => boolean | Promise<boolean>,
  step: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!await done()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await step();
  }
}
