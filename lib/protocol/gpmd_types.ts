// Shapes GPMD and its clients (nodes, the CLI, peer GPMDs) both hold, kept with the protocol so
// neither side imports the other for them. The shapes that travel in messages as they are
// (`NodeEntry`, `ModuleListing`, `GpmdStatus`) live in messages.ts.

/** Where a GPMD listens. */
export interface GpmdAddress {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** A module fetched from GPMD's store: its record and its body. */
export interface StoredModule {
  /** Module name. */
  name: string;
  /** The version fetched. */
  version: string;
  /** Hex sha256 of `bytes`, checked as they came. */
  sha256: string;
  /** The module body. */
  bytes: Uint8Array;
}
