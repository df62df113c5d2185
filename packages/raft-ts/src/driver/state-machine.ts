/** A committed application entry as the state machine sees it. */
export interface AppliedEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
  /**
   * On the node that proposed the entry, what it passed to `propose` beside the data (already
   * decoded, so it need not be decoded again); absent on other nodes and on replay.
   */
  readonly local?: unknown;
}

/**
 * The bytes of a snapshot, a piece at a time. A synchronous iterable is walked by the driver one
 * piece per event-loop turn; an asynchronous one (a worker thread's output, a stream) as its
 * pieces arrive. Pieces may be of any size; about a MiB each keeps every turn short.
 */
export type SnapshotPieces = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * The replicated application. Every node applies the same entries in the same order, so `apply`
 * must be deterministic. Its return value is handed to the proposer on the node that proposed.
 */
export interface StateMachine<R = unknown> {
  apply(entry: AppliedEntry): R;
  /** Serialize the whole state (at the last applied index). */
  snapshot(): Uint8Array;
  /**
   * Optional, and used instead of `snapshot` when present: capture the state at the last applied
   * index now, synchronously and cheaply (a copy of references to immutable data, say), and return
   * its bytes as pieces produced later. The pieces must describe the state as it was at the call,
   * whatever `apply` does meanwhile: the node goes on applying entries while it takes them. The
   * node takes at most one snapshot at a time, and stops taking pieces when it stops.
   */
  snapshotPieces?(): SnapshotPieces;
  /** Replace the whole state by a snapshot's data. */
  restore(data: Uint8Array, meta: { readonly index: number; readonly term: number }): void;
}
