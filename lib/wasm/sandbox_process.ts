import { FrameDecoder } from "../protocol/frame.ts";
import type { DirMapping } from "./dir_map.ts";
import type { SandboxReply } from "./sandbox_messages.ts";
import { decodeSandboxMessage } from "./sandbox_protocol.ts";
import { SANDBOX_REPLY_FRAME_BYTES } from "../limits.ts";

/**
 * The command that starts a sandbox: the `gvm` binary itself with `__sandbox`, or `deno run` of
 * the sandbox entry when running from source, with no permissions but the mapped folders.
 *
 * @example
 * ```ts
 * const [cmd, ...args] = sandboxCommand([]);
 * ```
 */
export function sandboxCommand(dirs: readonly DirMapping[]): string[] {
  const exe = Deno.execPath();
  const base = exe.split(/[\\/]/).pop() ?? "";
  if (!/^deno(\.exe)?$/.test(base)) return [exe, "__sandbox"];
  const hosts = dirs.map((dir) => dir.host);
  return [
    exe,
    "run",
    "-q",
    "--no-prompt",
    `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
    ...(hosts.length > 0
      ? [`--allow-read=${hosts.join(",")}`, `--allow-write=${hosts.join(",")}`]
      : []),
    new URL("./sandbox_main.ts", import.meta.url).pathname,
  ];
}

/**
 * One sandbox child process: frames in on its stdin, replies out on its stdout. Killing it is
 * the one sure way to stop a call.
 *
 * @example
 * ```ts
 * const sandbox = new SandboxProcess(sandboxCommand([]), onReply, onExit);
 * sandbox.send(frame);
 * ```
 */
export class SandboxProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #writes: Promise<void> = Promise.resolve();
  #dead = false;

  constructor(
    command: string[],
    onReply: (reply: SandboxReply) => void | Promise<void>,
    onExit: (why: string) => void,
  ) {
    const [cmd, ...args] = command;
    this.#child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#read(onReply);
    this.#child.status.then((status) => {
      this.#dead = true;
      onExit(status.signal ? `killed by ${status.signal}` : `exited with code ${status.code}`);
    });
  }

  /** Whether the process has ended. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Queues one frame for the sandbox's stdin. */
  send(frame: Uint8Array): void {
    this.#writes = this.#writes.then(() => this.#writer.write(frame)).catch(() => {
      // The process died; its exit is reported through onExit.
    });
  }

  /** Stops the process at once, whatever it is running. */
  kill(): void {
    if (this.#dead) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async #read(onReply: (reply: SandboxReply) => void | Promise<void>): Promise<void> {
    const decoder = new FrameDecoder({ maxFrameBytes: SANDBOX_REPLY_FRAME_BYTES });
    try {
      for await (const chunk of this.#child.stdout) {
        for (const payload of decoder.push(chunk)) {
          // Waiting here stops reading the pipe, so a module printing faster than its output
          // can be delivered blocks in its own write instead of filling our memory.
          const wait = onReply(decodeSandboxMessage<SandboxReply>(payload).header);
          if (wait) await wait;
        }
      }
    } catch {
      this.kill(); // A garbled reply means the sandbox cannot be trusted to go on.
    }
  }
}
