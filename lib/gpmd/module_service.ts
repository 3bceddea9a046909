// GPMD's side of module shipping: uploads arrive in parts and are kept per connection until
// their `module.put`; bodies go out in chunks, a few at a time per connection, so a burst of
// `module.get` on one connection neither builds every body at once nor starves other clients.
import { GvmError } from "../errors.ts";
import type { Connection } from "../protocol/connection.ts";
import { DEFAULT_MAX_MODULE_BYTES, MAX_QUEUED_BODIES } from "../limits.ts";
import type { Notice, Replies, Request } from "../protocol/messages.ts";
import { BodyCollector, sendFileChunks } from "../protocol/module_transfer.ts";
import type { ModuleStore } from "./store.ts";

/** Bodies sent at once on one connection; later requests wait their turn. */
const BODIES_IN_FLIGHT = 2;

interface Upload {
  upload: number;
  body: BodyCollector;
}

interface Lane {
  active: number;
  queue: (() => void)[];
}

/** Options for {@linkcode ModuleService}. */
export interface ModuleServiceOptions {
  store: ModuleStore;
  /** Largest module stored. @default {DEFAULT_MAX_MODULE_BYTES} */
  maxModuleBytes?: number;
  log: (line: string) => void;
}

/**
 * Serves `module.part`, `module.put` and `module.get` for GPMD.
 *
 * @example
 * ```ts
 * const modules = new ModuleService({ store, log: console.log });
 * modules.get(request, conn);
 * ```
 */
export class ModuleService {
  readonly #options: ModuleServiceOptions;
  readonly #uploads = new WeakMap<Connection, Upload>();
  readonly #lanes = new WeakMap<Connection, Lane>();
  #bodiesServed = 0;

  constructor(options: ModuleServiceOptions) {
    this.#options = options;
  }

  /** Module bodies sent whole since start. */
  get bodiesServed(): number {
    return this.#bodiesServed;
  }

  get #maxBytes(): number {
    return this.#options.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES;
  }

  /** Takes one part of an upload; a new upload id on the connection starts afresh. */
  part(message: Notice<"module.part">, conn: Connection): void {
    let upload = this.#uploads.get(conn);
    if (upload?.upload !== message.upload) {
      upload = { upload: message.upload, body: this.#newBody() };
      this.#uploads.set(conn, upload);
    }
    upload.body.addBytes(message.data);
  }

  /** Stores the upload this request names, checking its size and hash. */
  async put(message: Request<"module.put">, conn: Connection): Promise<Replies["module.put"]> {
    const upload = this.#uploads.get(conn);
    this.#uploads.delete(conn);
    if (message.size > this.#maxBytes) {
      throw new GvmError(
        "BAD_MODULE",
        `${message.name} ${message.version} is ${message.size} bytes, over GPMD's ${this.#maxBytes}-byte cap (--max-module-bytes)`,
      );
    }
    const body = upload?.upload === message.upload ? upload.body : undefined;
    if (!body && message.size !== 0) {
      throw new GvmError("PROTOCOL_ERROR", `Upload ${message.upload} has no parts`);
    }
    // The parts were hashed as they came: finish checks the hash without a second pass.
    const bytes = (body ?? this.#newBody()).finish(message.size, message.sha256);
    const stored = await this.#options.store.put(
      message.name,
      message.version,
      bytes,
      this.#maxBytes,
    );
    this.#options.log(`stored module ${stored.name} ${stored.version} (${stored.sha256})`);
    return { name: stored.name, version: stored.version, sha256: stored.sha256 };
  }

  /**
   * Answers a `module.get`: metadata alone for `head`, else the body in chunks and then the
   * reply. Waits its turn behind the connection's other bodies; skipped if it closes meanwhile.
   */
  async get(message: Request<"module.get">, conn: Connection): Promise<void> {
    const store = this.#options.store;
    const query = message.sha256 !== undefined
      ? { sha256: message.sha256 }
      : { name: message.name ?? "", version: message.version };
    const head = store.head(query); // Unknown modules fail at once, without queueing.
    if (message.head === true) {
      conn.reply<"module.get">(message.id, head);
      return;
    }
    if (message.id === undefined) return;
    const release = await this.#turn(conn);
    try {
      if (!conn.isOpen) return;
      // Read and sent a chunk at a time: a burst of requests holds a few chunks, not bodies.
      using file = await store.openBody(head.name, head.version);
      const size = await sendFileChunks(conn, message.id, file);
      if (size === undefined) return;
      this.#bodiesServed++;
      // The receiver checks the body against this hash as it arrives.
      conn.reply<"module.get">(message.id, { ...head, size });
    } finally {
      release();
    }
  }

  #newBody(): BodyCollector {
    return new BodyCollector({
      maxBytes: this.#maxBytes,
      flag: "gvm gpmd start --max-module-bytes",
      what: "The upload",
    });
  }

  /** Forgets a closed connection's upload and queued bodies. */
  drop(conn: Connection): void {
    this.#uploads.delete(conn);
    const lane = this.#lanes.get(conn);
    this.#lanes.delete(conn);
    // Waiters wake, see the connection closed, and return without reading a body.
    for (const wake of lane?.queue.splice(0) ?? []) wake();
  }

  #turn(conn: Connection): Promise<() => void> {
    let lane = this.#lanes.get(conn);
    if (!lane) {
      lane = { active: 0, queue: [] };
      this.#lanes.set(conn, lane);
    }
    const owned = lane;
    const release = () => {
      owned.active--;
      owned.queue.shift()?.();
    };
    if (owned.active < BODIES_IN_FLIGHT) {
      owned.active++;
      return Promise.resolve(release);
    }
    if (owned.queue.length >= MAX_QUEUED_BODIES) {
      return Promise.reject(
        new GvmError(
          "PROTOCOL_ERROR",
          `Over ${MAX_QUEUED_BODIES} module bodies asked for at once on one connection`,
        ),
      );
    }
    return new Promise((resolve) =>
      owned.queue.push(() => {
        owned.active++;
        resolve(release);
      })
    );
  }
}
