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
  return preA < preB ? -1 : 1;
}

/** Whether `version` looks like `v1.2.3` / `1.2.3-rc.1`. */
export function isVersion(version: string): boolean {
  return /^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/.test(version);
}

function split(version: string): [number[], string | undefined] {
  const text = version.replace(/^v/, "");
  const dash = text.indexOf("-");
  const core = dash === -1 ? text : text.slice(0, dash);
  const pre = dash === -1 ? undefined : text.slice(dash + 1);
  return [core.split(".").map((part) => Number.parseInt(part, 10) || 0), pre];
}
