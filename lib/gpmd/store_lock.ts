import { GvmError } from "../errors.ts";
import type { HomePaths } from "../home.ts";

/**
 * The one GPMD that owns a `GHOST_HOME` module store. An exclusive lock on `GHOST_HOME/gpmd.lock`
 * that the operating system drops when the process ends, however it ends, so a crashed GPMD
 * never leaves a stale lock behind. The file names the holder's pid and port for the error the
 * next one prints.
 *
 * @example
 * ```ts
 * using lock = StoreLock.acquire(home);
 * lock.announce("127.0.0.1", 5989);
 * ```
 */
export class StoreLock implements Disposable {
  readonly #file: Deno.FsFile;
  #released = false;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Takes the lock, or throws `IO_ERROR` naming the GPMD that holds it. */
  static acquire(home: HomePaths): StoreLock {
    const path = lockPath(home);
    let file: Deno.FsFile;
    try {
      Deno.mkdirSync(home.root, { recursive: true, mode: 0o700 });
      file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
    } catch (error) {
      throw new GvmError("IO_ERROR", `Cannot open ${path}: ${(error as Error).message}`);
    }
    if (!file.tryLockSync(true)) {
      file.close();
      throw new GvmError(
        "IO_ERROR",
        `Another GPMD (${describeHolder(path)}) already uses the module store in ${home.root}; ` +
          "stop it with gvm gpmd stop, or give this one its own GHOST_HOME",
      );
    }
    const lock = new StoreLock(file);
    lock.#write({ pid: Deno.pid });
    return lock;
  }

  /** Records the address this GPMD listens on, for the error another one would print. */
  announce(hostname: string, port: number): void {
    this.#write({ pid: Deno.pid, hostname, port });
  }

  /** Lets another GPMD have the store. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.#file.unlockSync();
    } finally {
      this.#file.close();
    }
  }

  [Symbol.dispose](): void {
    this.release();
  }

  #write(holder: { pid: number; hostname?: string; port?: number }): void {
    const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
    this.#file.truncateSync(0);
    this.#file.seekSync(0, Deno.SeekMode.Start);
    this.#file.writeSync(bytes);
  }
}

function lockPath(home: HomePaths): string {
  return `${home.root}/gpmd.lock`;
}

// Best effort: the holder may be writing the file right now.
function describeHolder(path: string): string {
  try {
    const { pid, port } = JSON.parse(Deno.readTextFileSync(path));
    if (Number.isInteger(pid) && Number.isInteger(port)) return `pid ${pid}, port ${port}`;
    if (Number.isInteger(pid)) return `pid ${pid}, still starting`;
  } catch {
    // Unreadable: say what we can.
  }
  return "its pid is unknown";
}
