import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../core/types.js';
import { InvariantViolation, LogCorruptionError } from '../errors.js';
import type { DurableStorage, StagedSnapshot } from './durable-storage.js';
import { RecordCorruptError } from './entry-codec.js';
import { MemoryStorage } from './memory-storage.js';
import { type QueuedSave, QueuedWrites } from './write-queue.js';
import { oneShot, readSnapshotFile, removeSnapshotFiles, removeSnapshotFilesBut, type SnapshotFile, StagedSnapshotFiles, syncDir, writeSnapshotFile } from './snapshot-files.js';
import { WalReplay } from './wal-replay.js';
import { encodeRecords, scanSegment, type SnapshotRef, type WalRecord, WalRecordType } from './wal-records.js';
import { installSegment, listSegments, type PreparedSegment, prepareSegment, SegmentWriter, segmentName } from './wal-segments.js';

const SNAPSHOT_DIR = 'snapshots';
/** Default segment size (etcd's is 64 MB; a smaller one keeps a server's idle footprint small). */
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
const DEFAULT_INLINE_SYNC_BYTES = 0;

export interface WalStorageOptions {
  /** Bytes each segment file is preallocated to; a segment rolls over when the next write would pass it. Default 16 MiB. */
  readonly segmentBytes?: number;
  /**
   * Synced writes of at most this many bytes are made on the event loop's thread (see
   * SegmentWriter); larger ones, and all of them with 0, in the thread pool. Default 0: in five
   * alternated cluster runs 2 KiB (a sequential writer's appends) took less CPU per sequential
   * write in three but did not raise the writer's rate consistently, and a stalled disk would
   * stall the whole event loop (heartbeats included).
   */
  readonly inlineSyncBytes?: number;
}

/** What a new log starts from (a log carried over from another storage). */
export interface WalInitialLog {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | undefined;
  readonly compactIndex: number;
  readonly compactTerm: number;
  readonly entries: readonly Entry[];
}

interface Segment {
  readonly seq: number;
  /** The highest entry index written to it (0: none); it can go once the log is compacted past this. */
  maxIndex: number;
}

/**
 * Durable Raft storage as a write-ahead log of segment files, as etcd's WAL: each `save` (and the
 * saves queued behind a write in progress: group commit) is encoded as checksummed records and
 * written at the end of the current segment with one O_DSYNC positioned write. Segments are
 * preallocated with zeros in the background, so a synced write changes no file size; a segment
 * that is full rolls over to the next, which starts with the current snapshot, compaction point
 * and hard state, so that segments whose entries are all compacted can be removed. Snapshot data
 * lives in files of its own under `snapshots/`, named by a snapshot record.
 *
 * At open the records are replayed into a MemoryStorage mirror (reads are synchronous). A record
 * torn by a crash mid-write at the end of the last segment is cleared; any other damage refuses
 * the open with `LogCorruptionError`. Files are 0600, directories 0700.
 */
export class WalStorage extends QueuedWrites implements DurableStorage {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #inlineBytes: number;
  #segments: Segment[] = [];
  #writer!: SegmentWriter;
  #next: Promise<PreparedSegment> | undefined;
  #snapRef: SnapshotRef | undefined;
  readonly #staged: StagedSnapshotFiles;
  /** Synced writes, for benchmarks. */
  syncs = 0;
  entriesWritten = 0;

  private constructor(dir: string, segmentBytes: number, inlineBytes: number) {
    super();
    this.#dir = dir;
    this.#segmentBytes = segmentBytes;
    this.#inlineBytes = inlineBytes;
    this.#staged = new StagedSnapshotFiles(this.#snapshotDir());
  }

  /**
   * Open (or create) the log in `dir`. Rejects with `LogCorruptionError` when it is damaged: a
   * record that fails its checksum anywhere but a torn end, entries missing, a commit index
   * beyond the last entry, a missing or damaged snapshot file.
   */
  static async open(dir: string, options: WalStorageOptions = {}): Promise<WalStorage> {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 4096) throw new RangeError(`segmentBytes must be an integer of at least 4096, not ${segmentBytes}`);
    // Directories made now are synced into their parents, so that a crash cannot take them back.
    const made = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (made !== undefined) {
      for (let d = resolve(dir); ; d = dirname(d)) {
        await syncDir(dirname(d));
        if (d === resolve(made)) break;
      }
    }
    const s = new WalStorage(dir, segmentBytes, options.inlineSyncBytes ?? DEFAULT_INLINE_SYNC_BYTES);
    try {
      await s.#load();
    } catch (err) {
      await s.#writer?.close().catch(() => undefined);
      if (err instanceof RecordCorruptError) throw new LogCorruptionError(dir, err.message, { cause: err });
      throw err;
    }
    return s;
  }

  /** Create the log in `dir` (which must hold none) from `initial`, durably, and open it. */
  static async create(dir: string, initial: WalInitialLog, options: WalStorageOptions = {}): Promise<WalStorage> {
    const s = await WalStorage.open(dir, options);
    if (s.#segments.length !== 1 || s.#writer.offset !== 0) {
      await s.close();
      throw new InvariantViolation(`${dir} already holds a log`);
    }
    const records: WalRecord[] = [];
    if (initial.snapshot) {
      const f = await s.#writeSnapshotFile(initial.snapshot.meta, oneShot(initial.snapshot.data));
      records.push({ type: WalRecordType.Snapshot, snapshot: s.#refOf(initial.snapshot.meta, f) });
    }
    records.push({ type: WalRecordType.Reset, index: initial.compactIndex, term: initial.compactTerm });
    if (initial.entries.length > 0) records.push({ type: WalRecordType.Entries, entries: [...initial.entries] });
    records.push({ type: WalRecordType.HardState, hardState: initial.hardState });
    await s.#append(records, true);
    s.mem = MemoryStorage.restore({
      hardState: initial.hardState,
      snapshot: initial.snapshot,
      compactIndex: initial.compactIndex,
      compactTerm: initial.compactTerm,
      entries: initial.entries,
    });
    return s;
  }

  async #load(): Promise<void> {
    const seqs = await listSegments(this.#dir);
    const replay = new WalReplay();
    let tail = { end: 0, tailEnd: 0 };
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (i > 0 && seq !== seqs[i - 1]! + 1) throw new RecordCorruptError(`segment ${segmentName(seqs[i - 1]! + 1)} is missing`);
      const scanned = scanSegment(await readFile(join(this.#dir, segmentName(seq))), segmentName(seq), i === seqs.length - 1);
      for (const r of scanned.records) replay.apply(r);
      this.#segments.push({ seq, maxIndex: scanned.maxIndex });
      tail = scanned;
    }
    replay.finish();
    let snapshot: Snapshot | undefined;
    if (replay.snapshot) {
      const ref = replay.snapshot;
      snapshot = { meta: { index: ref.index, term: ref.term, conf: ref.conf }, data: await readSnapshotFile(this.#snapshotDir(), ref) };
      this.#snapRef = ref;
    }
    await removeSnapshotFilesBut(this.#snapshotDir(), this.#snapRef?.file);
    this.mem = MemoryStorage.restore({ hardState: replay.hardState, snapshot, compactIndex: replay.base, compactTerm: replay.baseTerm, entries: replay.entries });
    if (seqs.length === 0) {
      const path = await installSegment(await prepareSegment(this.#dir, 0, this.#segmentBytes));
      this.#segments.push({ seq: 0, maxIndex: 0 });
      this.#writer = await SegmentWriter.open(0, path, 0, this.#inlineBytes);
    } else {
      const seq = seqs[seqs.length - 1]!;
      this.#writer = await SegmentWriter.open(seq, join(this.#dir, segmentName(seq)), tail.end, this.#inlineBytes);
      // A write torn by a crash: its bytes go before the next record is written there.
      await this.#writer.clear(tail.end, tail.tailEnd);
      // A crash right after a rollover left the new segment without the state it starts with.
      if (tail.end === 0 && seqs.length > 1) await this.#writer.append(encodeRecords(this.#stateRecords()), true);
    }
    this.#prepareNext();
  }

  #prepareNext(): void {
    const seq = this.#writer.seq + 1;
    const p = prepareSegment(this.#dir, seq, this.#segmentBytes);
    p.catch(() => undefined);
    this.#next = p;
  }

  #snapshotDir(): string {
    return join(this.#dir, SNAPSHOT_DIR);
  }

  // ---- writes ----------------------------------------------------------------------------

  protected async drain(group: QueuedSave[]): Promise<void> {
    const replaced: string[] = [];
    try {
      const records: WalRecord[] = [];
      let sync = false;
      let entries = 0;
      for (const { batch, sync: s } of group) {
        sync ||= s;
        if (batch.snapshot) {
          // A received snapshot: its file is written and synced before the record that names it.
          const meta = batch.snapshot.meta;
          const f = await this.#writeSnapshotFile(meta, oneShot(batch.snapshot.data));
          records.push({ type: WalRecordType.Snapshot, snapshot: this.#refOf(meta, f) });
          records.push({ type: WalRecordType.Reset, index: meta.index, term: meta.term });
        }
        if (batch.entries.length > 0) {
          records.push({ type: WalRecordType.Entries, entries: batch.entries as Entry[] });
          entries += batch.entries.length;
        }
        if (batch.hardState) records.push({ type: WalRecordType.HardState, hardState: batch.hardState });
      }
      await this.#append(records, sync);
      if (sync) this.syncs++;
      this.entriesWritten += entries;
      for (const { batch } of group) {
        if (batch.snapshot) {
          const old = this.#snapRef?.file;
          this.#snapRef = (records.find((r) => r.type === WalRecordType.Snapshot && r.snapshot.index === batch.snapshot!.meta.index) as { snapshot: SnapshotRef }).snapshot;
          if (old !== undefined && old !== this.#snapRef.file) replaced.push(old);
        }
        this.mem.saveSync(batch);
      }
    } catch (err) {
      for (const item of group) item.reject(err as Error);
      return;
    }
    await removeSnapshotFiles(this.#snapshotDir(), replaced);
    if (group.some(({ batch }) => batch.snapshot !== undefined)) await this.#removeCompactedSegments();
    for (const item of group) item.resolve();
  }

  /** Writes records at the end of the log, rolling over to a new segment first when they would not fit. */
  async #append(records: readonly WalRecord[], sync: boolean): Promise<void> {
    if (records.length === 0) return;
    let data = encodeRecords(records);
    if (this.#writer.offset > 0 && this.#writer.offset + data.byteLength > this.#segmentBytes) {
      await this.#rollover();
      const head = encodeRecords(this.#stateRecords());
      const joined = new Uint8Array(head.byteLength + data.byteLength);
      joined.set(head);
      joined.set(data, head.byteLength);
      data = joined;
    }
    await this.#writer.append(data, sync);
    const seg = this.#segments[this.#segments.length - 1]!;
    for (const r of records) if (r.type === WalRecordType.Entries) seg.maxIndex = Math.max(seg.maxIndex, r.entries[r.entries.length - 1]!.index);
  }

  /** What a new segment starts with: the state every earlier segment built, so that they can go once compacted. */
  #stateRecords(): WalRecord[] {
    const out: WalRecord[] = [];
    if (this.#snapRef) out.push({ type: WalRecordType.Snapshot, snapshot: this.#snapRef });
    const base = this.mem.firstIndex() - 1;
    out.push({ type: WalRecordType.Compact, index: base, term: this.mem.term(base) });
    out.push({ type: WalRecordType.HardState, hardState: this.mem.initialState().hardState });
    return out;
  }

  async #rollover(): Promise<void> {
    const seq = this.#writer.seq + 1;
    // One prepared in the background that failed (a full disk, say) is tried once more here.
    const prepared = await (this.#next ?? Promise.reject(new Error('none prepared'))).catch(() => prepareSegment(this.#dir, seq, this.#segmentBytes));
    this.#next = undefined;
    const path = await installSegment(prepared);
    await this.#writer.close();
    this.#writer = await SegmentWriter.open(prepared.seq, path, 0, this.#inlineBytes);
    this.#segments.push({ seq: prepared.seq, maxIndex: 0 });
    this.#prepareNext();
  }

  /** Removes the oldest segments while every entry they hold is compacted (never the current one). */
  async #removeCompactedSegments(): Promise<void> {
    const base = this.mem.firstIndex() - 1;
    while (this.#segments.length > 1 && this.#segments[0]!.maxIndex <= base) {
      const seg = this.#segments.shift()!;
      await unlink(join(this.#dir, segmentName(seg.seq))).catch(() => undefined);
    }
  }

  #refOf(meta: SnapshotMeta, f: SnapshotFile): SnapshotRef {
    return { index: meta.index, term: meta.term, conf: meta.conf, file: f.file, bytes: f.bytes, crc: f.crc };
  }

  #writeSnapshotFile(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<SnapshotFile> {
    return writeSnapshotFile(this.#snapshotDir(), meta, pieces);
  }

  stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot> {
    return this.#staged.stage(meta, pieces);
  }

  commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined> {
    return this.serial(async () => {
      const f = this.#staged.take(staged);
      const { index, conf } = staged.meta;
      if (index <= this.mem.snapshot().meta.index) {
        await removeSnapshotFiles(this.#snapshotDir(), [f.file]);
        return undefined;
      }
      const ref = this.#refOf(staged.meta, f);
      const records: WalRecord[] = [{ type: WalRecordType.Snapshot, snapshot: ref }];
      const to = Math.min(Math.max(compactTo, this.mem.firstIndex() - 1), this.mem.lastIndex());
      if (to >= this.mem.firstIndex()) records.push({ type: WalRecordType.Compact, index: to, term: this.mem.term(to) });
      await this.#append(records, true);
      this.syncs++;
      const replaced = this.#snapRef?.file;
      this.#snapRef = ref;
      const out = this.mem.createSnapshot(index, conf, f.data);
      this.mem.compact(to);
      await this.#removeCompactedSegments();
      if (replaced !== undefined) await removeSnapshotFiles(this.#snapshotDir(), [replaced]);
      return out;
    });
  }

  discardSnapshot(staged: StagedSnapshot): Promise<void> {
    return this.#staged.discard(staged);
  }

  /** Segment files the log holds now (for tests and status). */
  segmentCount(): number {
    return this.#segments.length;
  }

  async close(): Promise<void> {
    await this.idle();
    const next = this.#next;
    this.#next = undefined;
    // A segment being prepared is finished, then left for the next open to remove.
    await next?.catch(() => undefined);
    await this.#writer.close();
  }
}
