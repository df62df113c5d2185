import type { Storage } from '../core/storage.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';

/** What one Ready asks to persist. */
export interface PersistBatch {
  readonly entries: readonly Entry[];
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot | undefined;
}

/**
 * A Storage the driver can write to. Reads stay synchronous (an in-memory mirror); writes are
 * asynchronous and the mirror changes only once a write is durable. Writes are issued one at a
 * time by the driver.
 */
export interface DurableStorage extends Storage {
  /** Persist one Ready atomically; with `sync`, fsync before resolving. */
  save(batch: PersistBatch, sync: boolean): Promise<void>;
  /** Record an application snapshot at `index` and drop log entries up to `compactTo`. */
  saveSnapshot(index: number, conf: ConfState, data: Uint8Array, compactTo: number): Promise<Snapshot>;
  close(): Promise<void>;
}
