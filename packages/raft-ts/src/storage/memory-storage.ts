import { CompactedError, InvariantViolation, SnapshotOutOfDateError, UnavailableError } from '../errors.js';
import type { InitialState } from '../core/storage.js';
import type { DurableStorage, PersistBatch, StagedSnapshot } from './durable-storage.js';
import { EMPTY_CONF, EMPTY_HARD_STATE, entrySize, type ConfState, type Entry, type HardState, type Snapshot, type SnapshotMeta } from '../core/types.js';
import { gatherPieces } from './gather-pieces.js';

const EMPTY_DATA = new Uint8Array(0);

/**
 * The in-memory log. `#ents[0]` is a dummy entry at the compaction point (index and term of the
 * last compacted entry), so `term(firstIndex() - 1)` is always answerable.
 */
export class MemoryStorage implements DurableStorage {
  #hardState: HardState = EMPTY_HARD_STATE;
  #snapshot: Snapshot = { meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: EMPTY_DATA };
  #ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: EMPTY_DATA }];
  /** Data of the snapshots staged and neither committed nor discarded yet. */
  readonly #staged = new WeakMap<StagedSnapshot, Uint8Array>();

  /** Rebuild a storage from persisted parts (used by LevelStorage when it opens). */
  static restore(parts: { hardState: HardState; snapshot: Snapshot | undefined; compactIndex: number; compactTerm: number; entries: readonly Entry[] }): MemoryStorage {
    const m = new MemoryStorage();
    m.#hardState = parts.hardState;
    if (parts.snapshot) m.#snapshot = parts.snapshot;
    m.#ents = [{ term: parts.compactTerm, index: parts.compactIndex, type: 'normal', data: EMPTY_DATA }, ...parts.entries];
    return m;
  }

  initialState(): InitialState {
    return { hardState: this.#hardState, conf: this.#snapshot.meta.conf };
  }

  hardState(): HardState {
    return this.#hardState;
  }

  setHardState(hs: HardState): void {
    this.#hardState = hs;
  }

  #offset(): number {
    return this.#ents[0]!.index;
  }

  firstIndex(): number {
    return this.#offset() + 1;
  }

  lastIndex(): number {
    return this.#offset() + this.#ents.length - 1;
  }

  term(index: number): number {
    const offset = this.#offset();
    if (index < offset) throw new CompactedError(index);
    if (index - offset >= this.#ents.length) throw new UnavailableError(index);
    return this.#ents[index - offset]!.term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.#offset();
    if (lo <= offset) throw new CompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1);
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.#ents[i - offset]!;
      size += entrySize(e);
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Entries still held (firstIndex..lastIndex); used by tests and the simulator. */
  allEntries(): readonly Entry[] {
    return this.#ents.slice(1);
  }

  /** Replace the whole log by a snapshot received from the leader. */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index < this.#snapshot.meta.index) throw new SnapshotOutOfDateError(snap.meta.index);
    this.#snapshot = snap;
    this.#ents = [{ term: snap.meta.term, index: snap.meta.index, type: 'normal', data: EMPTY_DATA }];
  }

  /** Record a snapshot taken by the application at `index` (which must still be in the log). */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.#snapshot.meta.index) throw new SnapshotOutOfDateError(index);
    if (index > this.lastIndex()) throw new UnavailableError(index);
    const snap: Snapshot = { meta: { index, term: this.term(index), conf }, data };
    this.#snapshot = snap;
    return snap;
  }

  /** Discard entries up to and including `index`. */
  compact(index: number): void {
    const offset = this.#offset();
    if (index <= offset) return;
    if (index > this.lastIndex()) throw new UnavailableError(index);
    const i = index - offset;
    const dummy = this.#ents[i]!;
    this.#ents = [{ term: dummy.term, index: dummy.index, type: 'normal', data: EMPTY_DATA }, ...this.#ents.slice(i + 1)];
  }

  /** Append entries; an entry at index i replaces everything from i onward. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    let ents = entries;
    if (first > ents[0]!.index) ents = ents.slice(first - ents[0]!.index);
    const offset = ents[0]!.index - this.#offset();
    if (offset > this.#ents.length) {
      throw new InvariantViolation(`missing log entry: last ${this.lastIndex()}, append at ${ents[0]!.index}`);
    }
    this.#ents.length = offset;
    for (const e of ents) this.#ents.push(e);
  }

  // DurableStorage: in memory, a write is "durable" at once (for tests and -dev mode).

  async save(batch: PersistBatch, _sync: boolean): Promise<void> {
    this.saveSync(batch);
  }

  saveSync(batch: PersistBatch): void {
    if (batch.snapshot) this.applySnapshot(batch.snapshot);
    this.append(batch.entries);
    if (batch.hardState) this.setHardState(batch.hardState);
  }

  /** Stage and commit a snapshot whose data is at hand (for tests and tools). */
  async saveSnapshot(index: number, conf: ConfState, data: Uint8Array, compactTo: number): Promise<Snapshot> {
    const snap = this.createSnapshot(index, conf, data);
    this.compact(compactTo);
    return snap;
  }

  async stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot> {
    return this.stageSync(meta, await gatherPieces(pieces));
  }

  async commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined> {
    return this.commitStagedSync(staged, compactTo);
  }

  /** `commitSnapshot` at once (SimDisk runs it when its simulated write completes). */
  commitStagedSync(staged: StagedSnapshot, compactTo: number): Snapshot | undefined {
    const data = this.#staged.get(staged);
    if (data === undefined) throw new InvariantViolation(`snapshot at ${staged.meta.index} was not staged here, or was committed or discarded already`);
    this.#staged.delete(staged);
    if (staged.meta.index <= this.#snapshot.meta.index) return undefined;
    const snap = this.createSnapshot(staged.meta.index, staged.meta.conf, data);
    this.compact(Math.min(compactTo, this.lastIndex()));
    return snap;
  }

  /** Keep `data` as a staged snapshot (SimDisk stages on its platter when its simulated write completes). */
  stageSync(meta: SnapshotMeta, data: Uint8Array): StagedSnapshot {
    const staged: StagedSnapshot = { meta, bytes: data.byteLength };
    this.#staged.set(staged, data);
    return staged;
  }

  async discardSnapshot(staged: StagedSnapshot): Promise<void> {
    this.#staged.delete(staged);
  }

  async close(): Promise<void> {}
}
