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
 * The replicated application. Every node applies the same entries in the same order, so `apply`
 * must be deterministic. Its return value is handed to the proposer on the node that proposed.
 */
export interface StateMachine<R = unknown> {
  apply(entry: AppliedEntry): R;
  /** Serialize the whole state (at the last applied index). */
  snapshot(): Uint8Array;
  /** Replace the whole state by a snapshot's data. */
  restore(data: Uint8Array, meta: { readonly index: number; readonly term: number }): void;
}
