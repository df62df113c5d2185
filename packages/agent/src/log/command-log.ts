/**
 * The `Log` every command goes through before it reaches the state machine (docs/architecture.md).
 * Every server runs raft-ts behind it (../cluster/raft-log.ts): a `-dev` agent a single voter over
 * MemoryStorage, any other server a replicated node over `level` in its data dir.
 */
export interface LogStateMachine<R> {
  /**
   * Applies a committed entry; the return value is handed back to the proposer. On the server
   * that proposed it, `local` is what was proposed beside the data (see `propose`).
   */
  apply(index: number, data: Uint8Array, local?: unknown): R;
  /** Serializes the whole state for compaction. */
  snapshot(): Uint8Array;
  /**
   * Captures the state now (cheaply: references to immutable entries) and returns its bytes in
   * pieces encoded as they are taken; the log takes them off its hot path and uses this instead
   * of `snapshot()` when present.
   */
  snapshotPieces?(): Iterable<Uint8Array>;
  /** Replaces the whole state with a snapshot taken at `index`. */
  restore(index: number, data: Uint8Array): void;
}

export interface Proposal<R> {
  index: number;
  result: R;
}

export interface CommandLog<R> {
  /** Restores persisted state into `sm` and starts accepting proposals. */
  open(sm: LogStateMachine<R>): Promise<void>;
  /**
   * Appends a command; resolves once it is durable and applied. `local`, when given, is exactly
   * what `data` decodes to: this server's apply gets it beside the data, other servers (and a
   * replay) only the data.
   */
  propose(data: Uint8Array, local?: unknown): Promise<Proposal<R>>;
  /** True when this node may accept writes. */
  isLeader(): boolean;
  close(): Promise<void>;
}
