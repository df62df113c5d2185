import type { Prng, SimTimers } from '@concord/simkit';
import type { InitialState } from '../core/storage.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';
import type { DurableStorage, PersistBatch } from '../storage/durable-storage.js';
import type { MemoryStorage } from '../storage/memory-storage.js';

/** What the disk reports as writes become durable, for the safety checker. */
export interface DiskObserver {
  persisted(entries: readonly Entry[], termAt: (i: number) => number | undefined): void;
  hardState(hs: HardState): void;
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

  constructor(platter: MemoryStorage, timers: SimTimers, rng: Prng, observer: DiskObserver, syncSpreadMs = 2) {
    this.#platter = platter;
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

  saveSnapshot(index: number, conf: ConfState, data: Uint8Array, compactTo: number): Promise<Snapshot> {
    let snap: Snapshot | undefined;
    return this.#write(0.3 + this.#rng.next() * 2, () => {
      snap = this.#platter.createSnapshot(index, conf, data);
      this.#platter.compact(compactTo);
    }).then(() => snap as Snapshot);
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
