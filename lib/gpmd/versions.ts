/**
 * Orders version strings the semver way (`v` prefix allowed; numeric parts compared as numbers;
 * a pre-release sorts before its release).
 *
 * @example
 * ```ts
 * ["v0.10.0", "v0.2.0"].sort(compareVersions); // ["v0.2.0", "v0.10.0"]
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = split(a);
  const [coreB, preB] = split(b);
  for (let i = 0; i < Math.max(coreA.length, coreB.length); i++) {
    const diff = (coreA[i] ?? 0) - (coreB[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return comparePrerelease(preA.split("."), preB.split("."));
}

function split(version: string): [number[], string | undefined] {
  const text = version.replace(/^v/, "");
  const dash = text.indexOf("-");
  const core = dash === -1 ? text : text.slice(0, dash);
  const pre = dash === -1 ? undefined : text.slice(dash + 1);
  return [core.split(".").map((part) => Number.parseInt(part, 10) || 0), pre];
}

// Semver: numeric identifiers compare as numbers and sort before text; a shorter list that is a
// prefix of the other sorts first.
function comparePrerelease(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const numA = /^\d+$/.test(a[i]);
    const numB = /^\d+$/.test(b[i]);
    if (numA && numB) {
      const diff = Number(a[i]) - Number(b[i]);
      if (diff !== 0) return Math.sign(diff);
    } else if (numA !== numB) {
      return numA ? -1 : 1;
    } else if (a[i] !== b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  return Math.sign(a.length - b.length);
}
