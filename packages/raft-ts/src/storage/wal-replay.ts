import type { Entry, HardState } from '../core/types.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import { RecordCorruptError } from './entry-codec.js';
import { type SnapshotRef, type WalRecord, WalRecordType } from './wal-records.js';

/**
 * The state the records of a write-ahead log describe, built by replaying them in order. The log
 * may have gaps while it is replayed (the segments that held entries since compacted away are
 * removed, and a later segment starts with the compaction point of its own time); `finish` checks
 * that every gap lies below the final compaction point.
 */
export class WalReplay {
  hardState: HardState = EMPTY_HARD_STATE;
  snapshot: SnapshotRef | undefined;
  /** Index and term of the last compacted entry; term -1 while the entry at `base` is missing. */
  base = 0;
  baseTerm = 0;
  entries: Entry[] = [];
  /** The highest index found missing. */
  #missingUpTo = 0;

  apply(r: WalRecord): void {
    switch (r.type) {
      case WalRecordType.Entries:
        this.#append(r.entries);
        break;
      case WalRecordType.HardState:
        this.hardState = r.hardState;
        break;
      case WalRecordType.Snapshot:
        this.snapshot = r.snapshot;
        break;
      case WalRecordType.Compact:
        this.#compact(r.index, r.term);
        break;
      case WalRecordType.Reset:
        if (r.index >= this.base) {
          this.base = r.index;
          this.baseTerm = r.term;
          this.entries = [];
        }
        break;
    }
  }

  #append(run: Entry[]): void {
    if (run.length === 0) return;
    const first = run[0]!.index;
    const last = first + run.length - 1;
    if (last <= this.base) return;
    const next = this.base + this.entries.length + 1;
    if (first <= this.base + 1) this.entries = run.slice(this.base + 1 - first);
    else if (first <= next) {
      this.entries.length = first - this.base - 1;
      for (const e of run) this.entries.push(e);
    } else {
      this.#missingUpTo = first - 1;
      this.base = first - 1;
      this.baseTerm = -1;
      this.entries = run;
    }
  }

  #compact(index: number, term: number): void {
    if (index <= this.base) {
      if (index === this.base && this.baseTerm < 0) this.baseTerm = term;
      return;
    }
    const held = this.base + this.entries.length;
    this.entries = index >= held ? [] : this.entries.slice(index - this.base);
    this.base = index;
    this.baseTerm = term;
  }

  /** Checks what was replayed: no entry missing above the compaction point, the commit index covered. */
  finish(): void {
    if (this.#missingUpTo > this.base || this.baseTerm < 0) {
      throw new RecordCorruptError(`entries up to ${this.#missingUpTo} are missing (a segment of the write-ahead log is gone)`);
    }
    const covered = Math.max(this.base + this.entries.length, this.snapshot?.index ?? 0);
    if (this.hardState.commit > covered) {
      throw new RecordCorruptError(`the stored commit index ${this.hardState.commit} lies beyond the last entry ${covered}: committed entries are missing`);
    }
  }
}
