import { GvmError } from "../errors.ts";

/** A host folder a module may see, and the path it sees it under. */
export interface DirMapping {
  /** The folder on the host, used in place. */
  host: string;
  /** The path the module sees it under. */
  guest: string;
}

/**
 * Parses `HOST_DIR[:GUEST_DIR]` (the guest path defaults to the host path as written). The
 * folder is used in place: the module reads and writes the real files, confined to it (see
 * lib/wasm/wasi/path_resolve.ts).
 *
 * @example
 * ```ts
 * parseDirMapping("./data:/data"); // { host: "./data", guest: "/data" }
 * parseDirMapping("./data::/"); // { host: "./data", guest: "/" }
 * ```
 */
export function parseDirMapping(text: string): DirMapping {
  // wasmtime writes HOST::GUEST; accept that spelling too.
  const double = text.indexOf("::");
  const colon = double !== -1 ? double : text.indexOf(":");
  const host = colon === -1 ? text : text.slice(0, colon);
  const guest = colon === -1 ? text : text.slice(colon + (double !== -1 ? 2 : 1));
  if (host === "" || guest === "") {
    throw new GvmError("BAD_FLAGS", `--allow-dir takes HOST_DIR[:GUEST_DIR], not '${text}'`);
  }
  return { host, guest };
}
