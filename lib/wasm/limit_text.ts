/**
 * Limits in messages, in the units of the flags that set them: `--timeout` takes seconds and
 * `--max-memory` MiB, so "ran past its 2000 ms limit" or "16384 KiB cap" would make the user
 * convert before they could change the flag.
 *
 * @example
 * ```ts
 * secondsText(2500); // "2.5 s"
 * mibText(256); // "16 MiB" (256 pages of 64 KiB)
 * ```
 */
export function secondsText(ms: number): string {
  return `${round(ms / 1000)} s`;
}

/** `pages` 64 KiB wasm pages as MiB; see {@linkcode secondsText}. */
export function mibText(pages: number): string {
  return `${round(pages / 16)} MiB`;
}

// Three significant decimals at most: 0.001 s is the smallest --timeout, a page is 1/16 MiB.
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
