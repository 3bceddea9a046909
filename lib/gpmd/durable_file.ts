/**
 * Writes `bytes` to `path` so that a crash or a failed write never leaves a partial file under
 * that name: write a temporary file beside it, flush it to disk, rename it over `path`, then
 * flush the folder so the rename itself survives a power cut. Readers that opened the old file
 * keep reading the old bytes.
 *
 * @example
 * ```ts
 * await writeFileDurably("/home/me/.ghost-network/ghost.modules.json", bytes);
 * ```
 */
export async function writeFileDurably(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await syncFolder(folderOf(path));
}

/** Whether `name` is a temporary file left by {@linkcode writeFileDurably} (a crash mid-write). */
export function isTemporaryName(name: string): boolean {
  return /\.tmp-[0-9a-f-]{36}$/.test(name);
}

async function syncFolder(folder: string): Promise<void> {
  const dir = await Deno.open(folder, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? (slash === 0 ? "/" : ".") : path.slice(0, slash);
}
