import { GvmError } from "../errors.ts";
import type { NodeEntry } from "../protocol/messages.ts";

/**
 * The live-node table. Pure: each entry belongs to an owner (the node's GPMD connection) and
 * goes when the owner goes, as in EPMD.
 *
 * @example
 * ```ts
 * const registry = new Registry<object>();
 * const owner = {};
 * registry.register({ name: "node-1", id: "x", host: "127.0.0.1", port: 1 }, owner);
 * registry.unregisterOwner(owner);
 * ```
 */
export class Registry<Owner> {
  readonly #byName = new Map<string, { entry: NodeEntry; owner: Owner }>();
  readonly #byOwner = new Map<Owner, string>();

  /** Number of live nodes. */
  get size(): number {
    return this.#byName.size;
  }

  /** Adds `entry`; a live name or an owner that already registered is refused. */
  register(entry: NodeEntry, owner: Owner): void {
    if (this.#byName.has(entry.name)) {
      throw new GvmError("NAME_TAKEN", `A live node is already named ${entry.name}`);
    }
    if (this.#byOwner.has(owner)) {
      throw new GvmError("PROTOCOL_ERROR", "This connection has already registered a node");
    }
    this.#byName.set(entry.name, { entry, owner });
    this.#byOwner.set(owner, entry.name);
  }

  /** Removes the node `owner` registered, if any, and returns it. */
  unregisterOwner(owner: Owner): NodeEntry | undefined {
    const name = this.#byOwner.get(owner);
    if (name === undefined) return undefined;
    this.#byOwner.delete(owner);
    const found = this.#byName.get(name);
    this.#byName.delete(name);
    return found?.entry;
  }

  /** Names of all live nodes, in registration order. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The entry for `name`, or `NODE_NOT_FOUND`. */
  lookup(name: string): NodeEntry {
    const found = this.#byName.get(name);
    if (!found) throw new GvmError("NODE_NOT_FOUND", `No live node named ${name}`);
    return found.entry;
  }
}
