import { GvmError } from "../errors.ts";

/** One flag a command accepts. */
export interface FlagDef {
  /** `string` flags take a value (`--flag value` or `--flag=value`); `boolean` ones do not. */
  type: "string" | "boolean";
  /** May be given more than once; the values are kept in order. */
  multiple?: boolean;
  /** A one-letter alias, as `-c`. */
  short?: string;
  /** Kept out of did-you-mean suggestions (internal flags). */
  hidden?: boolean;
  /** Another long name for the flag `of`: values are kept under `of`, in order with its own. */
  aliasOf?: string;
}

/** The flags of one command, by long name (without `--`). */
export type FlagDefs = Record<string, FlagDef>;

/** Decoded flags: strings, string lists (`multiple`) or `true`. */
export type FlagValues = Record<string, string | string[] | true | undefined>;

/**
 * Decodes `args` against `defs`: every string flag takes `--flag value` and `--flag=value` alike;
 * unknown flags and missing values throw one-line `BAD_FLAGS` errors naming the command, with a
 * did-you-mean. A plain node:util parseArgs printed its own text (with an unbalanced quote) and
 * named undocumented long forms of short flags, hence this small parser. With `stopAtPositional`,
 * the first positional and everything after it are positionals (`gvm run FILE ARGS...`).
 *
 * @example
 * ```ts
 * parseFlags(["--port=0", "x"], { port: { type: "string" } }, "gvm gpmd start");
 * // { values: { port: "0" }, positionals: ["x"] }
 * ```
 */
export function parseFlags(
  args: readonly string[],
  defs: FlagDefs,
  command: string,
  stopAtPositional = false,
): { values: FlagValues; positionals: string[] } {
  const values: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const spelled = eq === -1 ? arg : arg.slice(0, eq);
    const looked = lookup(spelled, defs, command);
    const name = defs[looked].aliasOf ?? looked;
    const def = defs[name];
    let value: string | true;
    if (def.type === "boolean") {
      if (eq !== -1) {
        throw new GvmError("BAD_FLAGS", `${spelled} takes no value (see gvm --help)`);
      }
      value = true;
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < args.length && !isKnownFlag(args[i + 1], defs)) {
      value = args[++i];
    } else {
      throw new GvmError("BAD_FLAGS", `${spelled} needs a value (see gvm --help)`);
    }
    if (def.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(value as string);
      values[name] = list;
    } else {
      values[name] = value;
    }
  }
  return { values, positionals };
}

// `--gpmd -c math`: the value was forgotten, and the next flag is not it.
function isKnownFlag(arg: string, defs: FlagDefs): boolean {
  const spelled = arg.split("=", 1)[0];
  if (spelled.startsWith("--")) return Object.hasOwn(defs, spelled.slice(2));
  return spelled.length === 2 && spelled[0] === "-" &&
    Object.values(defs).some((def) => def.short === spelled[1]);
}

function lookup(spelled: string, defs: FlagDefs, command: string): string {
  if (spelled.startsWith("--")) {
    const name = spelled.slice(2);
    if (Object.hasOwn(defs, name)) return name;
  } else if (spelled.length === 2) {
    const found = Object.entries(defs).find(([, def]) => def.short === spelled[1]);
    if (found) return found[0];
  }
  const known = Object.entries(defs).filter(([, def]) => !def.hidden).map(([name]) => `--${name}`);
  const near = closest(spelled.replace(/^-+/, "--"), known);
  const hint = near ? `; did you mean ${near}?` : "";
  throw new GvmError("BAD_FLAGS", `Unknown flag ${spelled} for ${command}${hint} (see gvm --help)`);
}

/** The known name within a small edit distance of `word`, if there is one. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// Levenshtein distance; names are short, so the plain table is fine.
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
