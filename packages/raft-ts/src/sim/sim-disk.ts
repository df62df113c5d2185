import type { Prng, SimTimers } from '@concord/simkit';
import type { InitialState } from '../core/storage.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/types.js';
import type { DurableStorage, PersistBatch, StagedSnapshot } from '../storage/durable-storage.js';
import { gatherPieces } from '../storage/gather-pieces.js';
import type { MemoryStorage } from '../storage/memory-storage.js';

/** What the disk reports as writes become durable, for the safety checker. */
export interface DiskObserver {
  persisted(entries: readonly Entry[], termAt: (i: number) => number | undefined): void;
  hardState(hs: HardState): void;
}

/** How long staging a snapshot's data takes, and who hears that one started. */
export interface SimStaging {
  /** Simulated milliseconds the staging of `meta`'s data takes (drawn per snapshot). */
  latencyMs(meta: SnapshotMeta): number;
  /** A staging started; it completes `ms` from now unless the process crashes first. */
  started?(meta: SnapshotMeta, ms: number): void;
}

/**
 * One process's view of a simulated disk. The platter is a MemoryStorage that outlives the
 * process and holds only completed writes; writes complete in order after a simulated latency
 * (a synced one takes longer) on the process's timers, so a crash, which cancels those timers,
 * loses every write still in progress. Reads come from the platter, as LevelStorage reads its
 * in-memory mirror of what is durable.
 */
export class SimDisk implements DurableStorage {
  readonly #platter: MemoryStorage;
  readonly #timers: SimTimers;
  readonly #rng: Prng;
  readonly #observer: DiskObserver;
  #lastDoneAt = 0;
  /** A synced write takes 0.3 ms plus up to this long (drawn per write). */
  readonly #syncSpreadMs: number;

  /** Without it, staging takes no simulated time (the whole write is the commit's, as it was before staging existed). */
  readonly #staging: SimStaging | undefined;

  constructor(platter: MemoryStorage, timers: SimTimers, rng: Prng, observer: DiskObserver, syncSpreadMs = 2, staging?: SimStaging) {
    this.#platter = platter;
    this.#staging = staging;
    this.#syncSpreadMs = syncSpreadMs;
    this.#timers = timers;
    this.#rng = rng;
    this.#observer = observer;
  }

  initialState(): InitialState {
    return this.#platter.initialState();
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.#platter.entries(lo, hi, maxBytes);
  }

  term(index: number): number {
    return this.#platter.term(index);
  }

  firstIndex(): number {
    return this.#platter.firstIndex();
  }

  lastIndex(): number {
    return this.#platter.lastIndex();
  }

  snapshot(): Snapshot {
    return this.#platter.snapshot();
  }

  save(batch: PersistBatch, sync: boolean): Promise<void> {
    return this.#write(sync ? 0.3 + this.#rng.next() * this.#syncSpreadMs : 0.05, () => {
      const p = this.#platter;
      p.saveSync(batch);
      if (batch.entries.length > 0) {
        this.#observer.persisted(batch.entries, (i) => {
          try {
            return p.term(i);
          } catch {
            return undefined;
          }
        });
      }
      if (batch.hardState) this.#observer.hardState(batch.hardState);
    });
  }

  /**
   * The data goes to the platter, beside the log and outside the order of `save`, when the
   * staging's simulated time is up; a crash before then loses it and leaves the platter as it was.
   */
  async stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot> {
    const data = await gatherPieces(pieces);
    const ms = this.#staging?.latencyMs(meta) ?? 0;
    if (ms <= 0) return this.#platter.stageSync(meta, data);
    this.#staging?.started?.(meta, ms);
    return new Promise((resolve) => {
      this.#timers.setTimeout(() => resolve(this.#platter.stageSync(meta, data)), ms);
    });
  }

  commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined> {
    let snap: Snapshot | undefined;
    return this.#write(0.3 + this.#rng.next() * 2, () => {
      snap = this.#platter.commitStagedSync(staged, compactTo);
    }).then(() => snap);
  }

  async discardSnapshot(staged: StagedSnapshot): Promise<void> {
    await this.#platter.discardSnapshot(staged);
  }

  async close(): Promise<void> {}

  /** Complete `apply` after `latency`, and after every earlier write of this process. */
  #write(latency: number, apply: () => void): Promise<void> {
    const now = this.#timers.now();
    const doneAt = Math.max(now + latency, this.#lastDoneAt);
    this.#lastDoneAt = doneAt;
    return new Promise((resolve, reject) => {
      this.#timers.setTimeout(() => {
        try {
          apply();
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      }, doneAt - now);
    });
  }
}
