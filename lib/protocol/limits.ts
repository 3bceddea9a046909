/** Internal limits shared by GPMD and nodes; every buffer has a cap and every wait a timeout. */

/** Largest frame payload accepted by default (module bodies travel in far smaller chunks). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Largest frame accepted before the cookie handshake is done: a stranger gets little room. */
export const HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

/**
 * Largest module a node loads or GPMD stores by default: room for real programs (a Rust or Go
 * build with debug info runs to tens of MiB). Bodies travel in chunks, so no frame must hold one.
 */
export const DEFAULT_MAX_MODULE_BYTES = 64 * 1024 * 1024;

/** How long a new connection may take to finish the cookie handshake. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

/** How often each side of a connection sends a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 500;

/** Silence after which a connection is declared dead (well inside the 3 s the spec allows). */
export const HEARTBEAT_DEAD_MS = 2_000;

/** Default wait for a reply to a control request (register, look-up, status ...). */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Default GPMD port, as EPMD has 4369. */
export const DEFAULT_GPMD_PORT = 5989;

/** Default GPMD host. */
export const DEFAULT_GPMD_HOST = "127.0.0.1";
