import type { TlsConfig } from "../protocol/transport.ts";
import { GpmdClient } from "./client.ts";
import type { GpmdAddress } from "../protocol/gpmd_types.ts";
import { DEFAULT_GPMD_PORT, PEER_POLL_MS } from "../limits.ts";
import { formatHostPort, formatNodeRef } from "../names.ts";

/** Options for {@linkcode PeerDirectory}. */
export interface PeerDirectoryOptions {
  peers: GpmdAddress[];
  cookie: string;
  tls?: TlsConfig;
  /** How often each peer GPMD is asked for its nodes. @default {1000} */
  intervalMs?: number;
  log?: (line: string) => void;
}

/**
 * The nodes of peer GPMDs (`--peer HOST:PORT`), kept fresh by asking each one for its own
 * nodes every second. A peer that goes away takes its nodes out of discovery at once; they come
 * back when it does.
 *
 * @example
 * ```ts
 * const directory = new PeerDirectory({ peers: [{ host: "10.0.0.2", port: 5989 }], cookie });
 * directory.names(); // ["node-8399@10.0.0.2"]
 * ```
 */
export class PeerDirectory {
  readonly #options: PeerDirectoryOptions;
  readonly #names = new Map<string, string[]>();
  readonly #clients = new Set<GpmdClient>();
  #closed = false;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: PeerDirectoryOptions) {
    this.#options = options;
    for (const peer of options.peers) this.#follow(peer, true);
  }

  /** Remote nodes as `name@host` (or `name@host:port` off the default port). */
  names(): string[] {
    return [...this.#names.values()].flat();
  }

  /** Stops following the peers. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const client of this.#clients) client.close();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  async #follow(peer: GpmdAddress, first: boolean): Promise<void> {
    const label = formatHostPort(peer.host, peer.port, DEFAULT_GPMD_PORT);
    const interval = this.#options.intervalMs ?? PEER_POLL_MS;
    while (!this.#closed) {
      let client: GpmdClient | undefined;
      try {
        client = await GpmdClient.connect({
          address: peer,
          cookie: this.#options.cookie,
          tls: this.#options.tls,
        });
        this.#clients.add(client);
        this.#options.log?.(`following peer GPMD ${label}`);
        while (!this.#closed && client.isOpen) {
          const names = await client.discover({ localOnly: true });
          this.#names.set(label, names.map((name) => formatNodeRef(name, peer.host, peer.port)));
          await this.#wait(interval);
        }
      } catch (error) {
        if (first) this.#options.log?.(`peer GPMD ${label}: ${(error as Error).message}`);
      } finally {
        if (client) {
          this.#clients.delete(client);
          client.close();
          this.#options.log?.(`lost peer GPMD ${label}`);
        }
        this.#names.delete(label);
      }
      first = false;
      if (!this.#closed) await this.#wait(interval);
    }
  }
}
