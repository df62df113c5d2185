import type { Storage } from '../core/storage.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/types.js';

/** What one Ready asks to persist. */
export interface PersistBatch {
  readonly entries: readonly Entry[];
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot | undefined;
}

/**
 * A snapshot's data written durably where it replaces nothing yet: the current snapshot and the
 * log are as they were until `commitSnapshot` (a crash before that leaves them intact, and the
 * next open removes the staged data). Only the storage that staged it may commit or discard it.
 */
export interface StagedSnapshot {
  readonly meta: SnapshotMeta;
  /** Size of the data in bytes. */
  readonly bytes: number;
}

/**
 * A Storage the driver can write to. Reads stay synchronous (an in-memory mirror); writes are
 * asynchronous and the mirror changes only once a write is durable. Writes are issued one at a
 * time by the driver.
 *
 * A snapshot the node takes is stored in two steps, so that writing its data (which can be large)
 * never holds up the log: `stageSnapshot` writes the data beside the log while `save` goes on, and
 * `commitSnapshot`, queued in order with `save`, makes it the current snapshot and compacts the
 * log. A snapshot received from the leader comes in a `save` batch.
 */
export interface DurableStorage extends Storage {
  /** Persist one Ready atomically; with `sync`, fsync before resolving. */
  save(batch: PersistBatch, sync: boolean): Promise<void>;
  /**
   * Persist one Ready atomically before returning: offered only by a storage whose writes are
   * done (and as durable as it promises) once made, such as a log kept in memory. The driver then
   * stores, commits and applies a Ready in the loop turn that produced it, instead of waiting for
   * a write to complete; it does so only while no earlier write or snapshot commit is queued.
   */
  saveNow?(batch: PersistBatch): void;
  /**
   * Write a snapshot's data, taken a piece at a time from `pieces`, durably and without touching the
   * current snapshot or the log. Runs alongside `save`; at most one staging at a time.
   */
  stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot>;
  /**
   * Make a staged snapshot the current one and drop log entries up to `compactTo` (never past
   * what the log holds), atomically and in order with `save`. Resolves `undefined`, and discards
   * the staged data, when a snapshot at the same or a later index was stored meanwhile (one
   * received from the leader).
   */
  commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined>;
  /** Remove a staged snapshot that will not be committed. */
  discardSnapshot(staged: StagedSnapshot): Promise<void>;
  close(): Promise<void>;
}
