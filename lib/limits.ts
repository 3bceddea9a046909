/**
 * Every cap, timeout, default and port in one place, as epmd keeps `epmd_int.h`: every buffer
 * has a cap and every wait a timeout, and this file says how big and how long.
 *
 * Constants private to one file's algorithm stay in that file, because nothing else needs them:
 * read and slab buffer sizes (`connection.ts`, `frame.ts`, `outbox.ts`, `codec.ts`,
 * `wasm_values.ts`, `sandbox_main.ts`), wasm and WASI record layouts (`memory_cap.ts`,
 * `memory_import.ts`, `poll.ts`, `dir_read.ts`), caches and their sizes (`memory_pool.ts`,
 * `filestat.ts`, `inline_executor.ts`, `sandbox_main.ts`, `runtime.ts`'s long-call memory), log
 * throttles and back-off (`accept_loop.ts`, `handshake_gate.ts` and its floor), bodies sent at once
 * per connection (`module_service.ts`), the sandbox pool's sweep, the bounded-export step budget
 * and the WASI symlink and random-chunk caps.
 *
 * @module
 */

// --- Addresses ----------------------------------------------------------------------------------

/** Default GPMD port, as EPMD has 4369. */
export const DEFAULT_GPMD_PORT = 5989;

/** Default GPMD host. */
export const DEFAULT_GPMD_HOST = "127.0.0.1";

/** Where GPMD and nodes listen unless told otherwise: loopback only. */
export const DEFAULT_LISTEN_HOST = "127.0.0.1";

// --- Frames, modules and the wire ---------------------------------------------------------------

/** Largest frame payload accepted by default (module bodies travel in far smaller chunks). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Largest frame accepted before the cookie handshake is done: a stranger gets little room. */
export const HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

/**
 * Largest module a node loads or GPMD stores by default: room for real programs (a Rust or Go
 * build with debug info runs to tens of MiB). Bodies travel in chunks, so no frame must hold one.
 */
export const DEFAULT_MAX_MODULE_BYTES = 64 * 1024 * 1024;

/**
 * The most `--max-module-bytes` may raise the module cap to: a body this large plus a default
 * frame's room still fits in {@linkcode SANDBOX_REQUEST_FRAME_BYTES} (1 GiB).
 */
export const MAX_MODULE_BYTES_CEILING = 1024 * 1024 * 1024 - DEFAULT_MAX_FRAME_BYTES;

/** Bytes of module body per frame: well under any sensible frame cap. */
export const MODULE_CHUNK_BYTES = 512 * 1024;

/** Bytes queued but not yet written before a connection is given up as not reading. */
export const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

/** Body requests one GPMD connection may have waiting; past it they are refused. */
export const MAX_QUEUED_BODIES = 64;

/** Most modules, and exports per module, one node tells another about (for Tab completion). */
export const MAX_LISTED_MODULES = 200;

// --- Handshake, heartbeat and requests ----------------------------------------------------------

/** How long a new connection may take to finish the cookie handshake. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * The default cap on handshakes in progress: well under the usual open-file limit of 1024, and
 * far more than honest clients, who finish in milliseconds, ever have open at once.
 */
export const DEFAULT_HANDSHAKE_LIMIT = 256;

/** How often each side of a connection sends a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 500;

/** Silence after which a connection is declared dead (well inside the 3 s the spec allows). */
export const HEARTBEAT_DEAD_MS = 2_000;

/** Default wait for a reply to a control request (register, look-up, status ...). */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Wait for a module body to be uploaded, fetched or shipped to a peer. */
export const MODULE_TRANSFER_TIMEOUT_MS = 60_000;

/** Wait for a peer's list of modules. */
export const MODULES_REQUEST_TIMEOUT_MS = 5_000;

/** How long dialling (TCP connect) may take. */
export const DIAL_TIMEOUT_MS = 10_000;

/** Pause between a node's attempts to reach a GPMD that went away. */
export const GPMD_RETRY_MS = 500;

/** How often GPMD asks each peer GPMD for its nodes. */
export const PEER_POLL_MS = 1_000;

/** How long `gvm gpmd start` waits for the GPMD it started to say it is ready. */
export const GPMD_START_TIMEOUT_MS = 10_000;

/** How long `gvm serve` waits for the node it started to say it is ready. */
export const SERVE_START_TIMEOUT_MS = 15_000;

/** How long `gvm node stop` waits for the node to go. */
export const NODE_STOP_TIMEOUT_MS = 10_000;

/** How long a starting child's stderr is read for its reason after it failed to start. */
export const START_FAILURE_READ_MS = 1_000;

// --- Wasm memory --------------------------------------------------------------------------------

/** One WebAssembly page. */
export const WASM_PAGE_BYTES = 65_536;

/** A node's memory cap per instance (`--max-memory`), in MiB. */
export const DEFAULT_MAX_MEMORY_MIB = 256;

/** `gvm run`'s memory cap (`--max-memory`), in MiB: one program, so a larger share. */
export const RUN_DEFAULT_MAX_MEMORY_MIB = 4096;

/**
 * The one way a memory cap in MiB becomes whole wasm pages.
 *
 * @example
 * ```ts
 * memoryPages(256); // 4096
 * ```
 */
export function memoryPages(mib: number): number {
  return Math.floor(mib * 1024 * 1024 / WASM_PAGE_BYTES);
}

// --- Calls --------------------------------------------------------------------------------------

/** A call's time limit unless it or the node says otherwise. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** Remote calls wait this much past their own deadline for the remote side to report it. */
export const REMOTE_GRACE_MS = 5_000;

/**
 * Calls in progress on a node at once (inline, waiting for a turn, or in a sandbox); past it a
 * call fails at once with `BUSY`. Each holds its arguments, its caller's state and maybe its
 * output: unbounded, a flood of calls took a node to 451 MiB and its pings to 800 ms.
 */
export const MAX_CALLS_IN_PROGRESS = 4096;

/** Calls waiting for a sandbox; past it a call fails at once with `BUSY`. */
export const MAX_QUEUED_CALLS = 1024;

/** Most cores a node reports as its capacity. */
export const MAX_REPORTED_CORES = 1024;

/**
 * Longest an inline attempt may hold the node's thread, in ms. Past it the attempt is stopped
 * (`node:vm`'s timeout terminates even wasm) and the call is re-run in a sandbox process.
 */
export const INLINE_BUDGET_MS = 5;

/** Output an inline attempt may buffer; a call printing more is re-run in a sandbox. */
export const INLINE_OUTPUT_CAP_BYTES = 64 * 1024;

/**
 * An inline attempt must finish within this many ms to count; one still running then waits in a
 * JS loop for the vm's termination at {@linkcode INLINE_BUDGET_MS} instead of returning. Why:
 * Deno 2.9's `node:vm` timeout cancels its termination only when it lands inside the run; one
 * requested just as the run returns stays pending and kills the next JavaScript to run (the
 * whole node). Returning only with 4 ms to spare leaves that race a window of about a
 * microsecond that the thread must be stalled in for 4 ms (measured: a stress of 1.6 M calls
 * pinned to a CPU shared with a busy loop never hit it; with 2 ms to spare, two runs in four did).
 */
export const INLINE_FINISH_BY_MS = 1;

/**
 * How long an inline attempt past {@linkcode INLINE_FINISH_BY_MS} waits for that termination
 * before giving up on it. Measured here: about 1 attempt in 40 that read a mapped folder never got
 * its termination (the vm's watchdog fired while the thread was inside a Deno op), and an
 * unbounded wait held the node forever. When it has not come by then it does not come late either
 * (none seen in 200 ms waits), so the attempt is dropped and re-run in a sandbox.
 */
export const INLINE_TERMINATION_WAIT_MS = 50;

/** Inline, a sandbox left idle this long (ms) is stopped: an idle node is then one process. */
export const SANDBOX_IDLE_MS = 10_000;

/**
 * Largest frame a sandbox reads from its node: a module body of the largest allowed size
 * ({@linkcode MAX_MODULE_BYTES_CEILING}) with a default frame's room for the call.
 */
export const SANDBOX_REQUEST_FRAME_BYTES = MAX_MODULE_BYTES_CEILING + DEFAULT_MAX_FRAME_BYTES;

/** Frames from a sandbox: output chunks and results, never larger than this. */
export const SANDBOX_REPLY_FRAME_BYTES = 64 * 1024 * 1024;

// --- Output -------------------------------------------------------------------------------------

/**
 * A program's small writes are gathered up to this many bytes before they are sent on: where it
 * runs (a sandbox, `gvm run`'s worker, an inline attempt) and again, as `out` frames, in a call
 * served for a peer.
 */
export const OUTPUT_COALESCE_BYTES = 64 * 1024;

/** ... or for at most this long (ms) after the first of them, checked at each write. */
export const OUTPUT_COALESCE_MS = 5;

/** How long output of a call served for a peer may wait before it is sent (streams stay live). */
export const OUTPUT_FLUSH_DELAY_MS = 2;

/** Unsent bytes on the connection past which a module is made to wait in its write. */
export const OUTPUT_HIGH_WATER_BYTES = 1024 * 1024;

/** Unsent bytes on a connection past which a module body sender waits for it to drain. */
export const MODULE_SEND_HIGH_WATER_BYTES = 2 * 1024 * 1024;

/** Output bytes queued at the prompt before writers are asked to wait (or chunks dropped). */
export const PROMPT_OUTPUT_CAP_BYTES = 1024 * 1024;

/** Longest partial line kept per stream before it is printed anyway (a module with no `\n`). */
export const MAX_PENDING_LINE_BYTES = 64 * 1024;

// --- Node.map -----------------------------------------------------------------------------------

/** Most calls one `Node.map` line may expand to (ranges included). */
export const MAX_MAP_ITEMS = 100_000;

/** Output kept per call; a call printing more has the rest dropped (and says so). */
export const MAP_OUTPUT_CAP = 1024 * 1024;

/**
 * Output held for calls waiting their turn in input order, all calls together: results queue
 * behind a slow early call, and their output must not grow without bound meanwhile.
 */
export const MAP_BATCH_OUTPUT_CAP = 64 * 1024 * 1024;

/** A peer that does not say its capacity within this is left out of the batch. */
export const MAP_CAPACITY_TIMEOUT_MS = 5_000;

/** `Node.map` draws its progress line only for batches still running after this. */
export const MAP_PROGRESS_AFTER_MS = 1_000;

/** How often the progress line is redrawn. */
export const MAP_REDRAW_MS = 200;

// --- The prompt ---------------------------------------------------------------------------------

/** Most lines kept in the history file and in the prompt's history. */
export const HISTORY_LIMIT = 1000;

/** Longest error message shown on its one line; the rest is counted, not printed. */
export const MAX_ERROR_CHARS = 1000;
