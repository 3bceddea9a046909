// Starts real GPMDs and nodes as child processes on free ports with a temp GHOST_HOME, and
// waits on what they print, never on the clock.
import { RUN_PERMISSIONS } from "../../lib/cli/self_command.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/**
 * The example modules as the tests know them: copies of modules/*.wasm that modules/build.sh
 * makes, since modules/ is the user's to change and no test may depend on what is dropped there.
 */
export const MODULES_DIR = new URL("../fixtures/examples", import.meta.url).pathname;
/** The test fixture modules folder. */
export const FIXTURES_DIR = new URL("../fixtures", import.meta.url).pathname;
const DEFAULT_WAIT_MS = 15_000;

/** A temp GHOST_HOME, removed on dispose. */
export interface TempHome extends AsyncDisposable {
  path: string;
}

/** Makes a temp GHOST_HOME. */
export async function tempHome(): Promise<TempHome> {
  const path = await Deno.makeTempDir({ prefix: "gvm-test-" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** A modules folder inside `home` holding `files` (name in the folder → path to copy). */
export async function modulesFolder(home: string, files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: home, prefix: "mods-" });
  for (const [name, source] of Object.entries(files)) await Deno.copyFile(source, `${dir}/${name}`);
  return dir;
}

/** Collects a child's output and lets a test wait for a pattern in it. */
export class OutputWatch {
  text = "";
  #waiters: (() => void)[] = [];
  #ended = false;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#pump(stream);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.text += chunk;
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // The child was killed mid-write.
    }
    this.#ended = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves with the first match of `pattern` at or after `from`; rejects on end or timeout. */
  async waitFor(
    pattern: RegExp | string,
    from = 0,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<RegExpMatchArray> {
    const regex = typeof pattern === "string" ? new RegExp(escape(pattern)) : pattern;
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const match = this.text.slice(from).match(regex);
      if (match) {
        match.index = (match.index ?? 0) + from;
        return match;
      }
      if (this.#ended) throw new Error(`Output ended without ${regex}; got:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${regex}; got:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `deno run` of gvm (main.ts, with its permissions) with `args`; `options` as Deno.Command's. */
export function gvmCommand(
  args: string[],
  options: Omit<Deno.CommandOptions, "args"> = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    ...options,
    args: ["run", ...RUN_PERMISSIONS, MAIN, ...args],
  });
}

/** A running gvm child process. */
export class GvmProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly stdout: OutputWatch;
  readonly stderr: OutputWatch;
  #stdin?: WritableStreamDefaultWriter<Uint8Array>;
  #status?: Promise<Deno.CommandStatus>;

  constructor(
    args: string[],
    options: {
      home: string;
      env?: Record<string, string>;
      cwd?: string;
      netns?: string;
      /** A command the process runs under, such as `prlimit --nofile=128 --`. */
      prefix?: string[];
    },
  ) {
    const gvm = [
      ...(options.prefix ?? []),
      Deno.execPath(),
      "run",
      ...RUN_PERMISSIONS,
      MAIN,
      ...args,
    ];
    // In a network namespace the process sees only that namespace's interfaces: another host.
    const [command, ...rest] = options.netns ? ["ip", "netns", "exec", options.netns, ...gvm] : gvm;
    this.child = new Deno.Command(command, {
      args: rest,
      env: { GHOST_HOME: options.home, NO_COLOR: "1", ...options.env },
      cwd: options.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stdout = new OutputWatch(this.child.stdout);
    this.stderr = new OutputWatch(this.child.stderr);
    this.#stdin = this.child.stdin.getWriter();
  }

  /** Sends one line to the child's standard input. */
  async send(line: string): Promise<void> {
    await this.#stdin!.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes standard input (end of piped commands). */
  async endInput(): Promise<void> {
    const writer = this.#stdin;
    this.#stdin = undefined;
    await writer?.close().catch(() => {});
  }

  /** Waits for the child to exit. */
  async exit(): Promise<{ code: number; stdout: string; stderr: string }> {
    this.#status ??= this.child.status;
    const status = await this.#status;
    await Promise.all([this.stdout.done, this.stderr.done]);
    return { code: status.code, stdout: this.stdout.text, stderr: this.stderr.text };
  }

  /** Kills the child (SIGKILL unless told otherwise). */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.endInput();
    this.kill();
    await this.exit();
  }
}

/** A foreground GPMD on a free port. */
export class TestGpmd extends GvmProcess {
  host = "127.0.0.1";
  port = 0;

  /** `HOST:PORT` for `--gpmd`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Starts `gvm gpmd start --foreground` and waits until it listens. */
  static async start(
    home: string,
    port = 0,
    options: { extra?: string[]; netns?: string; prefix?: string[] } = {},
  ): Promise<TestGpmd> {
    const args = [
      "gpmd",
      "start",
      "--foreground",
      "--port",
      String(port),
      ...(options.extra ?? []),
    ];
    const gpmd = new TestGpmd(args, { home, netns: options.netns, prefix: options.prefix });
    const match = await gpmd.stdout.waitFor(/GPMD listening on ([^ ]+):(\d+)/);
    gpmd.host = match[1];
    gpmd.port = Number(match[2]);
    return gpmd;
  }
}

/** `text` without a node's start-up lines (which piped-input nodes print on stderr). */
export function withoutStartup(text: string): string {
  return text.replace(/^(GVM has been created .*|Listening for nodes on port \d+)\n/gm, "");
}

/** A node kept alive by its open standard input, driven line by line. */
export class TestNode extends GvmProcess {
  name = "";
  port = 0;

  /** Starts a node and waits for its ready lines. */
  static async start(
    home: string,
    gpmd: string,
    options: {
      name?: string;
      modules?: string;
      extra?: string[];
      env?: Record<string, string>;
      netns?: string;
      prefix?: string[];
    } = {},
  ): Promise<TestNode> {
    const args = ["--gpmd", gpmd, "--modules", options.modules ?? MODULES_DIR];
    if (options.name) args.push("--name", options.name);
    const node = new TestNode([...args, ...(options.extra ?? [])], {
      home,
      env: options.env,
      netns: options.netns,
      prefix: options.prefix,
    });
    // Input is piped, so the start-up lines come on stderr (stdout is only what calls print).
    const created = await node.stderr.waitFor(/GVM has been created (\S+) \(/);
    node.name = created[1];
    node.port = Number((await node.stderr.waitFor(/Listening for nodes on port (\d+)/))[1]);
    return node;
  }

  /** Sends `line` and resolves with the stdout text up to the first match of `until`. */
  async command(line: string, until: RegExp | string): Promise<string> {
    const from = this.stdout.text.length;
    await this.send(line);
    const match = await this.stdout.waitFor(until, from);
    return this.stdout.text.slice(from, match.index! + match[0].length);
  }
}

/** Runs gvm to completion with these args (and optional piped input). */
export async function runGvm(
  args: string[],
  options: {
    home: string;
    input?: string;
    env?: Record<string, string>;
    cwd?: string;
    netns?: string;
  },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = new GvmProcess(args, options);
  if (options.input !== undefined) await proc.send(options.input.replace(/\n$/, ""));
  await proc.endInput();
  return await proc.exit();
}

/**
 * Runs a node on `gpmd` serving `modules` that runs each of `commands` (one `-c` each) and
 * exits; `flags` go before the commands.
 */
export async function runCommands(
  home: string,
  gpmd: TestGpmd,
  commands: string[],
  modules = MODULES_DIR,
  flags: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["--gpmd", gpmd.address, "--modules", modules, ...flags];
  for (const command of commands) args.push("-c", command);
  return await runGvm(args, { home });
}

/**
 * Runs `scripts/NAME.ts` to its end with gvm's permissions (`denoFlags` after them) and `args`;
 * prints its last line, the summary, and returns it with the exit code and both outputs.
 */
export async function runScript(
  name: string,
  args: string[],
  denoFlags: string[] = [],
): Promise<{ code: number; out: string; err: string; summary: string }> {
  const script = new URL(`../../scripts/${name}.ts`, import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...RUN_PERMISSIONS, ...denoFlags, script, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  const summary = out.trimEnd().split("\n").pop() ?? "";
  console.log(summary);
  return { code, out, err, summary };
}
