import { GvmError, toGvmError } from "../errors.ts";
import { GpmdClient } from "../gpmd/client.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import type { NodeEntry } from "../protocol/messages.ts";
import type { TlsConfig } from "../protocol/transport.ts";
import { GPMD_RETRY_MS } from "../limits.ts";
import { formatHostPort } from "../names.ts";

/** Options for {@linkcode GpmdLink}. */
export interface GpmdLinkOptions {
  address: GpmdAddress;
  cookie: string;
  entry: NodeEntry;
  /** Status lines for the user (GPMD gone, re-registered). */
  log: (line: string) => void;
  /** Pause between reconnection attempts. @default {500} */
  retryMs?: number;
  tls?: TlsConfig;
  maxFrameBytes?: number;
  /** Largest module body accepted from GPMD. */
  maxModuleBytes?: number;
}

/**
 * A node's registration with its GPMD. The registration lives as long as the connection; when
 * GPMD goes away the node keeps running and re-registers under the same name once it is back.
 *
 * @example
 * ```ts
 * const link = await GpmdLink.open({ address, cookie, entry, log: console.error });
 * const names = await link.client.discover();
 * ```
 */
export class GpmdLink {
  readonly #options: GpmdLinkOptions;
  #client?: GpmdClient;
  #closing = false;
  #retry?: ReturnType<typeof setTimeout>;

  private constructor(options: GpmdLinkOptions) {
    this.#options = options;
  }

  /** Connects and registers; `GPMD_NOT_RUNNING` or `NAME_TAKEN` on failure. */
  static async open(options: GpmdLinkOptions): Promise<GpmdLink> {
    const link = new GpmdLink(options);
    await link.#connect();
    return link;
  }

  /** The live GPMD client, or `GPMD_DOWN` while GPMD is away. */
  get client(): GpmdClient {
    if (!this.#client?.isOpen) {
      const { host, port } = this.#options.address;
      throw new GvmError(
        "GPMD_DOWN",
        `GPMD at ${formatHostPort(host, port)} is not reachable right now`,
      );
    }
    return this.#client;
  }

  /** Whether the node is registered right now. */
  get isUp(): boolean {
    return this.#client?.isOpen ?? false;
  }

  /** The GPMD this node registers with. */
  get address(): GpmdAddress {
    return this.#options.address;
  }

  /** Ends the registration. */
  close(): void {
    this.#closing = true;
    clearTimeout(this.#retry);
    this.#client?.close();
  }

  async #connect(): Promise<void> {
    const client = await GpmdClient.connect({
      address: this.#options.address,
      cookie: this.#options.cookie,
      tls: this.#options.tls,
      maxFrameBytes: this.#options.maxFrameBytes,
      maxModuleBytes: this.#options.maxModuleBytes,
    });
    try {
      await client.register(this.#options.entry);
    } catch (error) {
      client.close();
      throw error;
    }
    if (this.#closing) {
      client.close(); // The node shut down while this reconnection was under way.
      return;
    }
    this.#client = client;
    client.closed.then(() => this.#lost());
  }

  #lost(): void {
    if (this.#closing) return;
    const { host, port } = this.#options.address;
    this.#options.log(
      `GPMD at ${formatHostPort(host, port)} is gone; will re-register when it returns`,
    );
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    this.#retry = setTimeout(async () => {
      if (this.#closing) return;
      try {
        await this.#connect();
        this.#options.log(`Re-registered with GPMD as ${this.#options.entry.name}`);
      } catch (error) {
        const err = toGvmError(error);
        if (err.code === "NAME_TAKEN") this.#options.log(`Cannot re-register: ${err.message}`);
        this.#scheduleRetry();
      }
    }, this.#options.retryMs ?? GPMD_RETRY_MS);
  }
}
