import { GvmError } from "./errors.ts";

/**
 * Parses `HOST:PORT`, `HOST`, `:PORT` or `[IPv6]:PORT`, filling in the defaults. `flag` names
 * what is being parsed in the error.
 *
 * @example
 * ```ts
 * parseHostPort("10.0.0.2:7000", { host: "127.0.0.1", port: 5989 }, "--gpmd");
 * // { host: "10.0.0.2", port: 7000 }
 * ```
 */
export function parseHostPort(
  text: string,
  defaults: { host: string; port: number },
  flag: string,
): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(text.trim());
  const port = match?.[2] === undefined ? defaults.port : Number(match[2]);
  if (!match || port > 65535) throw new GvmError("BAD_FLAGS", `Cannot parse ${flag} '${text}'`);
  return { host: match[1].replace(/^\[|\]$/g, "") || defaults.host, port };
}
