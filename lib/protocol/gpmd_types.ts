// Shapes GPMD and its clients (nodes, the CLI, peer GPMDs) both hold, kept with the protocol so
// neither side imports the other for them. The shapes that travel in messages as they are
// (`NodeEntry`, `ModuleListing`, `GpmdStatus`) live in messages.ts.

/** Where a GPMD listens. */
export interface GpmdAddress {
  host: string;
  port: number;
}

/** A module fetched from GPMD's store: its record and its body. */
export interface StoredModule {
  name: string;
  version: string;
  sha256: string;
  bytes: Uint8Array;
}
