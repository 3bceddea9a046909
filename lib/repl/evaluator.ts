import { exitStatusOf, formatError, GvmError } from "../errors.ts";
import { escapeText } from "../escape.ts";
import type { GvmNode } from "../node/node.ts";
import type { LoadedModule } from "../wasm/catalog.ts";
import type { CallResult, CallSpec } from "../wasm/runtime.ts";
import { formatResults } from "../wasm/values.ts";
import { stripComment } from "./comment.ts";
import { helpText } from "./help.ts";
import { LinePrefixer } from "./line_prefixer.ts";
import { type CallExpr, type Command, parseCommand } from "./parser.ts";
import { runMapCommand } from "./map_command.ts";
import type { Outcome, Output } from "./output.ts";

const NEWLINE = 10;

/**
 * Runs prompt lines against a node: parse first, then act; every failure is one
 * `error: CODE: message` line and the prompt goes on.
 *
 * @example
 * ```ts
 * const evaluator = new Evaluator(node, output);
 * await evaluator.evaluate("math.add(1,2)"); // "ok"
 * ```
 */
export class Evaluator {
  readonly #node: GvmNode;
  readonly #out: Output;
  #running?: AbortController;
  #failureStatus = 1;

  constructor(node: GvmNode, output: Output) {
    this.#node = node;
    this.#out = output;
  }

  /** Exit status the last failed command stands for: a program's own exit code, else 1. */
  get failureStatus(): number {
    return this.#failureStatus;
  }

  /** Whether a command is running now (Ctrl-C cancels it rather than the line). */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Cancels the running command, if any; returns whether there was one. */
  interrupt(): boolean {
    if (!this.#running) return false;
    this.#running.abort();
    return true;
  }

  /** Parses and runs one line. */
  async evaluate(line: string): Promise<Outcome> {
    const controller = new AbortController();
    this.#running = controller;
    try {
      const command = parseCommand(stripComment(line));
      return await this.#execute(command, controller.signal);
    } catch (error) {
      this.#out.error(formatError(error));
      this.#failureStatus = exitStatusOf(error);
      return "failed";
    } finally {
      this.#running = undefined;
    }
  }

  async #execute(command: Command, signal: AbortSignal): Promise<Outcome> {
    const node = this.#node;
    switch (command.kind) {
      case "empty":
        return "ok";
      case "help":
        this.#out.line(helpText((await node.moduleNames().catch(() => [])).map(escapeText)));
        return "ok";
      case "exit":
        this.#out.line("Goodbye :(");
        return "exit";
      case "call":
        return await this.#localCall(command.call, signal);
      case "discover":
        this.#out.line(escapeText((await node.discover()).join(",")));
        return "ok";
      case "list": {
        const peers = node.list();
        // An empty line would look like nothing happened.
        this.#out.line(peers.length > 0 ? escapeText(peers.join(",")) : "(no connected nodes)");
        return "ok";
      }
      case "info": {
        const info = node.info();
        this.#out.line(
          `name: ${info.name}\nid: ${info.id}\naddress: ${info.host}:${info.port}\ngpmd: ${info.gpmd} (${
            info.gpmdUp ? "registered" : "unreachable"
          })`,
        );
        return "ok";
      }
      case "connect":
        this.#out.line(escapeText(await node.connect(command.node)));
        return "ok";
      case "disconnect":
        node.disconnect(command.node);
        this.#out.line(`Disconnected from ${command.node}`);
        return "ok";
      case "ping":
        this.#out.line(`${command.node}: ${(await node.ping(command.node)).toFixed(2)} ms`);
        return "ok";
      case "run":
        return await this.#remoteCall(command.node, command.call, signal);
      case "multicall":
        return await this.#multicall(command.call, signal);
      case "map":
        return await runMapCommand(node, command.target, command.items, this.#out, signal);
      case "cancel":
        node.cancel(command.callId);
        this.#out.line(`Cancelled ${command.callId}`);
        return "ok";
    }
  }

  async #localCall(call: CallExpr, signal: AbortSignal): Promise<Outcome> {
    const tracker = new OutputTracker(this.#out);
    const loaded = await this.#versioned(call);
    const result = await this.#node.call(toSpec(call), {
      signal,
      onOutput: tracker.write,
      loaded,
    }).finally(() => tracker.endLine());
    // The seed shows a blank line between a local call's own output and its result.
    this.#printResult(result, tracker, true);
    return "ok";
  }

  async #remoteCall(node: string, call: CallExpr, signal: AbortSignal): Promise<Outcome> {
    // A peer's output arrives from the network and cannot be paused here: dropped if need be.
    const tracker = new OutputTracker(this.#out, true);
    await this.#ensureConnected(node);
    const loaded = await this.#versioned(call);
    const remote = this.#node.run(node, toSpec(call), {
      signal,
      onOutput: tracker.write,
      loaded,
      own: call.own,
    });
    this.#out.line(`ID:  ${remote.callId}`);
    this.#printResult(await remote.result.finally(() => tracker.endLine()), tracker, false);
    return "ok";
  }

  // `math@v0.0.1`: that version from GPMD's store, whatever the modules folder holds.
  async #versioned(call: CallExpr): Promise<LoadedModule | undefined> {
    return call.version === undefined
      ? undefined
      : await this.#node.loadVersion(call.module, call.version);
  }

  // Erlang's transparent connect: running on a node connects to it first if need be.
  async #ensureConnected(node: string): Promise<void> {
    if (this.#node.list().includes(node)) return;
    const name = await this.#node.connect(node);
    this.#out.error(`Connected to ${escapeText(name)}`);
  }

  async #multicall(call: CallExpr, signal: AbortSignal): Promise<Outcome> {
    // Resolved before the peers are listed: nothing may run between listing them and calling.
    const loaded = await this.#versioned(call);
    const peers = this.#node.list();
    if (peers.length === 0) {
      throw new GvmError("NOT_CONNECTED", "Not connected to any node; use Node.connect(...) first");
    }
    const spec = toSpec(call);
    // Output streams as it comes, a whole line at a time, each line naming its node.
    const outputs = peers.map((peer) => new LinePrefixer(this.#out, `${escapeText(peer)}: `));
    const settled = await Promise.allSettled(
      // Async, so a peer dropped meanwhile fails its own line rather than the whole command.
      peers.map(async (peer, i) =>
        await this.#node.run(peer, spec, {
          signal,
          onOutput: outputs[i].write,
          loaded,
          own: call.own,
        }).result
      ),
    );
    let failed = false;
    settled.forEach((outcome, i) => {
      outputs[i].flush();
      const peer = escapeText(peers[i]);
      if (outcome.status === "fulfilled") {
        const { types, values } = outcome.value;
        if (values.length > 0) this.#out.line(`${peer}: ${formatResults(types, values)}`);
        else if (!outputs[i].wrote) this.#out.line(`${peer}: (no output)`);
      } else {
        failed = true;
        this.#out.line(`${peer}: ${formatError(outcome.reason)}`);
      }
    });
    if (failed) this.#failureStatus = 1;
    return failed ? "failed" : "ok";
  }

  #printResult(result: CallResult, tracker: OutputTracker, blankAfterOutput: boolean): void {
    tracker.endLine();
    if (result.values.length === 0) return;
    if (blankAfterOutput && tracker.wrote) this.#out.line("");
    this.#out.line(formatResults(result.types, result.values));
  }
}

function toSpec(call: CallExpr): CallSpec {
  return { module: call.module, fn: call.fn, args: call.args };
}

/** Passes module output through and remembers whether a line was left open. */
class OutputTracker {
  readonly #out: Output;
  readonly #mayDrop: boolean;
  wrote = false;
  #lastByte = NEWLINE;

  constructor(out: Output, mayDrop = false) {
    this.#out = out;
    this.#mayDrop = mayDrop;
  }

  /** Passes output on; the promise it may return makes the call wait for a slow reader. */
  write = (fd: 1 | 2, data: Uint8Array): void | Promise<void> => {
    if (data.length === 0) return;
    this.wrote = true;
    this.#lastByte = data[data.length - 1];
    return this.#out.stream(fd, data, this.#mayDrop);
  };

  /** Ends an unterminated last line so the result starts on its own. */
  endLine(): void {
    if (this.#lastByte !== NEWLINE) this.#out.stream(1, new Uint8Array([NEWLINE]));
    this.#lastByte = NEWLINE;
  }
}
