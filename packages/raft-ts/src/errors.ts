/** Base class of every error raft-ts throws. Callers branch on `code`, which never changes. */
export class RaftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The request needs the leader and this node is not it. `leaderHint` is '' when unknown. */
export class NotLeaderError extends RaftError {
  readonly leaderHint: string;
  constructor(leaderHint: string) {
    super('RAFT_NOT_LEADER', leaderHint ? `not the leader; leader is ${leaderHint}` : 'not the leader; leader unknown');
    this.leaderHint = leaderHint;
  }
}

/** The proposal was not accepted (leadership transfer in progress, log too large, node removed). */
export class ProposalDroppedError extends RaftError {
  constructor(reason: string) {
    super('RAFT_PROPOSAL_DROPPED', `proposal dropped: ${reason}`);
  }
}

/** The proposal was appended but replaced by another leader's entry: it was never committed. */
export class ProposalLostError extends RaftError {
  constructor(index: number) {
    super('RAFT_PROPOSAL_LOST', `entry at index ${index} was overwritten by a newer leader`);
  }
}

/** A configuration change violates the single-server rule or another one is still pending. */
export class ConfChangeRejectedError extends RaftError {
  constructor(reason: string) {
    super('RAFT_CONF_CHANGE_REJECTED', `configuration change rejected: ${reason}`);
  }
}

/** A log read asked for entries that were compacted into a snapshot. */
export class CompactedError extends RaftError {
  constructor(index: number) {
    super('RAFT_COMPACTED', `index ${index} is compacted`);
  }
}

/** A log read asked for entries beyond the last index. */
export class UnavailableError extends RaftError {
  constructor(index: number) {
    super('RAFT_UNAVAILABLE', `index ${index} is not available`);
  }
}

/** A snapshot older than the one already stored was offered. */
export class SnapshotOutOfDateError extends RaftError {
  constructor(index: number) {
    super('RAFT_SNAPSHOT_OUT_OF_DATE', `snapshot at index ${index} is older than the stored one`);
  }
}

/** Invalid configuration passed to the core or the driver. */
export class ConfigError extends RaftError {
  constructor(message: string) {
    super('RAFT_CONFIG', message);
  }
}

/** A read could not be confirmed (leadership lost, timeout). */
export class ReadIndexError extends RaftError {
  constructor(reason: string) {
    super('RAFT_READ_INDEX_FAILED', `read index failed: ${reason}`);
  }
}

/** The node was stopped; pending requests fail with this. */
export class StoppedError extends RaftError {
  constructor() {
    super('RAFT_STOPPED', 'raft node is stopped');
  }
}

/** A broken internal invariant: the node must stop. The simulator reports these as violations. */
export class InvariantViolation extends RaftError {
  constructor(message: string) {
    super('RAFT_INVARIANT', message);
  }
}

/** A leadership transfer was refused or did not complete. */
export class LeadershipTransferError extends RaftError {
  constructor(reason: string) {
    super('RAFT_TRANSFER_FAILED', `leadership transfer failed: ${reason}`);
  }
}

/**
 * The stored log is damaged: a record fails its checksum or does not decode, entries are missing
 * between two records, the stored commit index lies beyond the last entry, or LevelDB dropped part
 * of its write-ahead log while recovering. Starting would serve without writes that were
 * acknowledged, so the storage refuses to open. `path` is the database, `found` what was wrong.
 */
export class LogCorruptionError extends RaftError {
  readonly path: string;
  readonly found: string;
  constructor(path: string, found: string, options?: ErrorOptions) {
    super('RAFT_LOG_CORRUPT', `raft log at ${path} is damaged: ${found}`, options);
    this.path = path;
    this.found = found;
  }
}
