import type { InitialState } from '../core/storage.js';
import type { ConfState, Entry, Snapshot, SnapshotMeta } from '../core/types.js';
import { SnapshotOutOfDateError } from '../errors.js';
import type { PersistBatch, StagedSnapshot } from './durable-storage.js';
import { oneShot } from './snapshot-files.js';
import { MemoryStorage } from './memory-storage.js';

/** One `save` waiting to be written. */
export interface QueuedSave {
  readonly batch: PersistBatch;
  readonly sync: boolean;
  resolve(): void;
  reject(e: Error): void;
}

/**
 * The write side a durable storage shares: writes run one at a time in the order they are asked
 * for, and `save`s queued while one is in progress are handed to `drain` together (group commit).
 * Reads are answered from a MemoryStorage mirror (`mem`) that changes once a write is durable.
 */
export abstract class QueuedWrites {
  protected mem = new MemoryStorage();
  #chain: Promise<unknown> = Promise.resolve();
  /** Writes queued or running. */
  #busy = 0;
  #queued: QueuedSave[] = [];
  #drainQueued = false;

  /** Writes one group of queued saves; settles each of them. */
  protected abstract drain(group: QueuedSave[]): Promise<void>;
  abstract stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot>;
  abstract commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined>;

  /** Stage and commit a snapshot whose data is at hand (for tests and tools). */
  async saveSnapshot(index: number, conf: ConfState, data: Uint8Array, compactTo: number): Promise<Snapshot> {
    const staged = await this.stageSnapshot({ index, term: this.mem.term(index), conf }, oneShot(data));
    const snap = await this.commitSnapshot(staged, compactTo);
    if (!snap) throw new SnapshotOutOfDateError(index);
    return snap;
  }

  /**
   * Runs `fn` after every earlier write. With none in progress it starts at once, in the caller's
   * turn: a Ready's write is handed to the disk before the driver's messages are flushed, so the
   * sync runs while they are sent rather than after.
   */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const idle = this.#busy === 0;
    this.#busy++;
    const p = idle ? fn() : this.#chain.then(fn, fn);
    this.#chain = p.then(
      () => {
        this.#busy--;
      },
      () => {
        this.#busy--;
      },
    );
    return p;
  }

  /** Resolves once every write asked for so far has finished. */
  protected idle(): Promise<unknown> {
    return this.#chain;
  }

  /**
   * Queue one Ready's write. Writes queued while an earlier one is in progress are drained as one
   * group (one sync for all of them: group commit across pipelined Readys); they become durable,
   * and their promises resolve, in the order they were queued.
   */
  save(batch: PersistBatch, sync: boolean): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#queued.push({ batch, sync, resolve, reject }));
    if (!this.#drainQueued) {
      this.#drainQueued = true;
      void this.serial(() => {
        this.#drainQueued = false;
        const group = this.#queued.splice(0);
        return group.length === 0 ? Promise.resolve() : this.drain(group);
      });
    }
    return done;
  }

  initialState(): InitialState {
    return this.mem.initialState();
  }
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.mem.entries(lo, hi, maxBytes);
  }
  term(index: number): number {
    return this.mem.term(index);
  }
  firstIndex(): number {
    return this.mem.firstIndex();
  }
  lastIndex(): number {
    return this.mem.lastIndex();
  }
  snapshot(): Snapshot {
    return this.mem.snapshot();
  }
}
