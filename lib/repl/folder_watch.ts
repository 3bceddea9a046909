/**
 * Calls `onChange` whenever something in `dir` changes, so completion reflects the modules folder
 * at once. A missing folder is not watched; the returned handle stops watching.
 *
 * @example
 * ```ts
 * using _watch = watchFolder("./modules", () => snapshot.refresh());
 * ```
 */
export function watchFolder(dir: string, onChange: () => void): Disposable {
  let watcher: Deno.FsWatcher | undefined;
  try {
    watcher = Deno.watchFs(dir, { recursive: false });
  } catch {
    return { [Symbol.dispose]() {} };
  }
  (async () => {
    try {
      for await (const _event of watcher) onChange();
    } catch {
      // Closed.
    }
  })();
  return {
    [Symbol.dispose]() {
      try {
        watcher.close();
      } catch {
        // Already closed.
      }
    },
  };
}
