import type { ConfState, Entry, HardState, Snapshot } from './types.js';

export interface InitialState {
  readonly hardState: HardState;
  /** Configuration of the latest snapshot; later configuration entries are re-applied from the log. */
  readonly conf: ConfState;
}

/**
 * Read access to the stable (persisted) log, used synchronously by the core. Implementations keep
 * the unsnapshotted log in memory. Methods throw CompactedError for indexes folded into a snapshot
 * and UnavailableError for indexes past the end.
 */
export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most `maxBytes` in total but always at least one. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at `index`; valid for firstIndex()-1 ..= lastIndex(). */
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot (an empty one at index 0 if none). */
  snapshot(): Snapshot;
}
