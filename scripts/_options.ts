/**
 * `--NAME N` or `--NAME=N` from this script's arguments: a whole number, or `fallback` when it
 * is not given. Anything else ends the script with status 2, naming `script` and the option.
 */
export function wholeNumberOption(script: string, name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  const inline = Deno.args.find((a) => a.startsWith(`--${name}=`));
  const text = inline ? inline.slice(name.length + 3) : at >= 0 ? Deno.args[at + 1] : undefined;
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`${script}: --${name} needs a whole number, got '${text}'`);
    Deno.exit(2);
  }
  return value;
}
