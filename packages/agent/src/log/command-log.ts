/**
 * The `Log` every command goes through before it reaches the state machine (docs/architecture.md).
 * A single server uses a local log (in memory for -dev, `level` on disk otherwise); a cluster
 * swaps in a raft-replicated log behind the same interface.
 */
export interface LogStateMachine {
  /** Applies a committed entry; the return value is handed back to the proposer. */
  apply(index: number, data: Uint8Array): unknown;
  /** Serializes the whole state for compaction. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with a snapshot taken at `index`. */
  restore(index: number, data: Uint8Array): void;
}

export interface Proposal {
  index: number;
  result: unknown;
}

export interface CommandLog {
  /** Restores persisted state into `sm` and starts accepting proposals. */
  open(sm: LogStateMachine): Promise<void>;
  /** Appends a command; resolves once it is durable and applied. */
  propose(data: Uint8Array): Promise<Proposal>;
  /**
   * For a log that neither persists nor replicates (-dev): takes the next index and runs `apply`
   * with it at once, so that a command needs no encoding to bytes and back.
   */
  applyNext?<T>(apply: (index: number) => T): Promise<{ index: number; result: T }>;
  /** True when this node may accept writes (always, for a local log). */
  isLeader(): boolean;
  close(): Promise<void>;
}

export class LogClosedError extends Error {
  readonly code = 'AGENT_LOG_CLOSED';
  constructor() {
    super('log is closed');
  }
}
