import { join } from 'node:path';
import { Level } from 'level';
import type { ConfState, Entry, Snapshot, SnapshotMeta } from '../core/types.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import type { DurableStorage, StagedSnapshot } from './durable-storage.js';
import { readSnapshotFile, removeSnapshotFiles, removeSnapshotFilesBut, oneShot, type SnapshotFile, StagedSnapshotFiles, writeSnapshotFile } from './snapshot-files.js';
import { decodeRun, encodeRun, indexKey, keyIndex, RecordCorruptError } from './entry-codec.js';
import { damageRecorded, leveldbRecoveryDamage, openHardState, recordDamage, sealHardState, snapshotChecksum } from './record-check.js';
import { LogCorruptionError } from '../errors.js';
import { MemoryStorage } from './memory-storage.js';
import { type QueuedSave, QueuedWrites } from './write-queue.js';
import { concatBytes } from '../bytes.js';

/** Directory (inside the database's) of the snapshot files. */
const SNAPSHOT_DIR = 'snapshots';

interface SnapshotRecord {
  index: number;
  term: number;
  conf: ConfState;
  /** The data's file in SNAPSHOT_DIR (absent when the data is in the `snap` sublevel, as data dirs written before stored it). */
  file?: string;
  /** Size of the file's data. */
  bytes?: number;
  /** Chunks in the `snap` sublevel (data dirs written before snapshot files). */
  chunks?: number;
  /** CRC-32 of the data (absent in data dirs written before). */
  crc?: number;
}

interface CompactRecord {
  index: number;
  term: number;
}

export interface LevelStorageOptions {
  /**
   * LevelDB memtable size in bytes. Larger values mean fewer level-0 flushes and fewer write
   * stalls under a steady append load, at the cost of memory. Default 16 MiB (LevelDB's is 4 MiB).
   */
  readonly writeBufferSize?: number;
}

type Sub<K, V> = ReturnType<Level<string, string>['sublevel']> & {
  get(key: K): Promise<V | undefined>;
};

/**
 * Durable Raft storage on `level` (LevelDB). The unsnapshotted log is mirrored in a MemoryStorage
 * for the core's synchronous reads; `level` is the write-behind:
 * - sublevel `log`: runs of consecutive entries, one per write, under the 8-byte big-endian index
 *   of the run's first entry (a run replaces every entry from its first index on, so runs are read
 *   back in key order);
 * - sublevel `meta`: hard state, snapshot metadata, compaction point (JSON);
 * - directory `snapshots/`: the current snapshot's data in a file of its own, named by the
 *   `snapshot` record (data dirs written before kept it in a sublevel `snap`, in 1 MiB chunks,
 *   which is still read). A snapshot is staged (its file written and synced) beside the log
 *   writes, then committed with one small synced batch; files no record names are removed at open.
 * Each save() becomes part of one atomic batch (group commit: one fsync per Ready, or per several
 * Readys when a driver pipelines them). When an append truncates the log, the runs that start
 * after its first index are deleted key by key inside that batch (`clear()` is not atomic). Compaction first records the new
 * compaction point atomically, then clears the prefix in the background; keys below the point are
 * ignored at startup.
 */
export class LevelStorage extends QueuedWrites implements DurableStorage {
  readonly #db: Level<string, string>;
  readonly #log: Sub<Uint8Array, Uint8Array>;
  readonly #meta: Sub<string, unknown>;
  readonly #snap: Sub<string, Uint8Array>;
  readonly #path: string;
  /** Chunks of a snapshot stored in the `snap` sublevel by earlier versions (deleted with the next snapshot). */
  #snapChunks = 0;
  /** The current snapshot's file. */
  #snapFile: string | undefined;
  /** Snapshots staged and neither committed nor discarded yet. */
  readonly #staged: StagedSnapshotFiles;
  /** First index of every run stored in `log`, ascending (the keys the log sublevel holds). */
  #runs: number[] = [];
  #background = new Set<Promise<unknown>>();
  /** fsyncs issued (synced batches), for benchmarks. */
  syncs = 0;
  entriesWritten = 0;

  private constructor(db: Level<string, string>, path: string) {
    super();
    this.#db = db;
    this.#path = path;
    this.#staged = new StagedSnapshotFiles(join(path, SNAPSHOT_DIR));
    this.#log = db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as Sub<Uint8Array, Uint8Array>;
    this.#meta = db.sublevel<string, unknown>('meta', { valueEncoding: 'json' }) as unknown as Sub<string, unknown>;
    this.#snap = db.sublevel<string, Uint8Array>('snap', { valueEncoding: 'view' }) as unknown as Sub<string, Uint8Array>;
  }

  /**
   * Open (or create) the database at `path` and load the log into memory. Rejects with
   * `LogCorruptionError` (and leaves the database closed) when the log is damaged: a record that
   * fails its checksum or does not decode, entries missing between records, a stored commit index
   * beyond the last entry, a missing snapshot chunk, or a write-ahead log record LevelDB dropped
   * while recovering.
   */
  static async open(path: string, options: LevelStorageOptions = {}): Promise<LevelStorage> {
    const earlier = await damageRecorded(path);
    if (earlier !== undefined) throw new LogCorruptionError(path, earlier);
    const db = new Level<string, string>(path, { writeBufferSize: options.writeBufferSize ?? 16 * 1024 * 1024 });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: Error }).cause ?? (err as Error);
      if (/corrupt/i.test(String(cause))) throw new LogCorruptionError(path, `LevelDB cannot open it: ${cause.message}`, { cause: err });
      throw err;
    }
    const s = new LevelStorage(db, path);
    try {
      const dropped = await leveldbRecoveryDamage(path);
      if (dropped !== undefined) throw new RecordCorruptError(`LevelDB dropped part of its write-ahead log while recovering (${dropped})`);
      await s.#load();
    } catch (err) {
      await db.close().catch(() => undefined);
      let found: string | undefined;
      if (err instanceof RecordCorruptError) found = err.message;
      else if (err instanceof Error && /json|unexpected token|decode/i.test(err.message)) found = `a metadata record does not decode (${err.message})`;
      if (found === undefined) throw err;
      await recordDamage(path, found);
      throw new LogCorruptionError(path, found, { cause: err });
    }
    return s;
  }

  async #load(): Promise<void> {
    const meta = this.#meta as unknown as Level<string, unknown>;
    const storedHard = await meta.get('hardState');
    const hardState = storedHard === undefined ? EMPTY_HARD_STATE : openHardState(storedHard);
    const snapRec = (await meta.get('snapshot')) as SnapshotRecord | undefined;
    const compact = ((await meta.get('compact')) as CompactRecord | undefined) ?? { index: 0, term: 0 };
    let snapshot: Snapshot | undefined;
    if (snapRec) {
      const data =
        snapRec.file !== undefined ? await readSnapshotFile(this.#snapshotDir(), { ...snapRec, file: snapRec.file, crc: undefined }) : await this.#readSnapshotChunks(snapRec);
      snapshot = { meta: { index: snapRec.index, term: snapRec.term, conf: snapRec.conf }, data };
      if (snapRec.crc !== undefined && snapRec.crc !== snapshotChecksum(snapshot.data)) {
        throw new RecordCorruptError(`the snapshot at index ${snapRec.index} fails its checksum`);
      }
      this.#snapFile = snapRec.file;
    }
    await this.#removeUnnamedSnapshotFiles();
    // Runs in key order; each replaces everything from its first index on. Runs wholly below the
    // compaction point are left over from a lazy clear and skipped.
    let entries: Entry[] = [];
    const log = this.#log as unknown as Level<Uint8Array, Uint8Array>;
    for await (const [k, v] of log.iterator()) {
      const first = keyIndex(k);
      const run = decodeRun(first, v);
      const last = first + run.length - 1;
      if (last <= compact.index) continue;
      const next = compact.index + entries.length + 1;
      if (first > next) throw new RecordCorruptError(`entries ${next} to ${first - 1} are missing (the log jumps from ${next - 1} to ${first})`);
      if (first <= compact.index) entries = run.slice(compact.index + 1 - first);
      else {
        entries.length = first - compact.index - 1;
        entries.push(...run);
      }
      this.#runs.push(first);
    }
    const last = compact.index + entries.length;
    const covered = Math.max(last, snapshot?.meta.index ?? 0);
    if (hardState.commit > covered) {
      throw new RecordCorruptError(`the stored commit index ${hardState.commit} lies beyond the last entry ${covered}: committed entries are missing`);
    }
    this.mem = MemoryStorage.restore({ hardState, snapshot, compactIndex: compact.index, compactTerm: compact.term, entries });
  }

  #snapshotDir(): string {
    return join(this.#path, SNAPSHOT_DIR);
  }

  async #readSnapshotChunks(rec: SnapshotRecord): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const snap = this.#snap as unknown as Level<string, Uint8Array>;
    const chunks = rec.chunks ?? 0;
    for (let i = 0; i < chunks; i++) {
      const chunk = await snap.get(chunkKey(i));
      if (chunk === undefined) throw new RecordCorruptError(`chunk ${i} of ${chunks} of the snapshot at index ${rec.index} is missing`);
      parts.push(chunk);
    }
    this.#snapChunks = chunks;
    return concatBytes(parts);
  }

  /** Files of snapshots staged but never committed (a crash while one was written), and replaced ones not yet removed. */
  async #removeUnnamedSnapshotFiles(): Promise<void> {
    await removeSnapshotFilesBut(this.#snapshotDir(), this.#snapFile);
  }

  // ---- writes ----------------------------------------------------------------------------

  protected async drain(group: QueuedSave[]): Promise<void> {
    const replaced: string[] = [];
    try {
      // A received snapshot's file is written and synced before the batch that names it.
      const files = new Map<Snapshot, SnapshotFile>();
      for (const { batch } of group) if (batch.snapshot) files.set(batch.snapshot, await this.#writeSnapshotFile(batch.snapshot.meta, oneShot(batch.snapshot.data)));
      const b = this.#db.batch();
      const log = { sublevel: this.#log } as never;
      const meta = { sublevel: this.#meta } as never;
      let sync = false;
      let entries = 0;
      for (const { batch } of group) {
        if (batch.snapshot) {
          // A received snapshot replaces the whole log.
          for (const run of this.#runs) b.del(indexKey(run) as never, log);
          this.#runs = [];
          replaced.push(...this.#putSnapshotRecord(b, batch.snapshot.meta, files.get(batch.snapshot)!));
          b.put('compact', { index: batch.snapshot.meta.index, term: batch.snapshot.meta.term } as never, meta);
        }
        if (batch.entries.length > 0) {
          // The run replaces everything from its first index on: runs starting later go, in this batch.
          const first = batch.entries[0]!.index;
          while (this.#runs.length > 0 && this.#runs[this.#runs.length - 1]! >= first) {
            const stale = this.#runs.pop()!;
            if (stale !== first) b.del(indexKey(stale) as never, log);
          }
          b.put(indexKey(first) as never, encodeRun(batch.entries) as never, log);
          this.#runs.push(first);
          entries += batch.entries.length;
        }
        if (batch.hardState) b.put('hardState', sealHardState(batch.hardState) as never, meta);
      }
      for (const item of group) sync ||= item.sync;
      await b.write({ sync });
      if (sync) this.syncs++;
      this.entriesWritten += entries;
      for (const { batch } of group) this.mem.saveSync(batch);
    } catch (err) {
      for (const item of group) item.reject(err as Error);
      return;
    }
    await this.#removeSnapshotFiles(replaced);
    for (const item of group) item.resolve();
  }

  /**
   * Names `f` as the current snapshot in batch `b` (and deletes the chunks of one stored the way
   * earlier versions did); returns the files this replaces, to remove once the batch is written.
   */
  #putSnapshotRecord(b: ReturnType<Level<string, string>['batch']>, meta: SnapshotMeta, f: SnapshotFile): string[] {
    const snapOpt = { sublevel: this.#snap } as never;
    for (let i = 0; i < this.#snapChunks; i++) b.del(chunkKey(i), snapOpt);
    this.#snapChunks = 0;
    const rec: SnapshotRecord = { index: meta.index, term: meta.term, conf: meta.conf, file: f.file, bytes: f.bytes, crc: f.crc };
    b.put('snapshot', rec as never, { sublevel: this.#meta } as never);
    const replaced = this.#snapFile;
    this.#snapFile = f.file;
    return replaced === undefined ? [] : [replaced];
  }

  #writeSnapshotFile(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<SnapshotFile> {
    return writeSnapshotFile(this.#snapshotDir(), meta, pieces);
  }

  #removeSnapshotFiles(files: readonly string[]): Promise<void> {
    return removeSnapshotFiles(this.#snapshotDir(), files);
  }

  stageSnapshot(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot> {
    return this.#staged.stage(meta, pieces);
  }

  commitSnapshot(staged: StagedSnapshot, compactTo: number): Promise<Snapshot | undefined> {
    return this.serial(async () => {
      const f = this.#staged.take(staged);
      const { index, conf } = staged.meta;
      if (index <= this.mem.snapshot().meta.index) {
        await this.#removeSnapshotFiles([f.file]);
        return undefined;
      }
      const b = this.#db.batch();
      const replaced = this.#putSnapshotRecord(b, staged.meta, f);
      const to = Math.min(Math.max(compactTo, this.mem.firstIndex() - 1), this.mem.lastIndex());
      if (to >= this.mem.firstIndex()) {
        b.put('compact', { index: to, term: this.mem.term(to) } as never, { sublevel: this.#meta } as never);
      }
      await b.write({ sync: true });
      this.syncs++;
      const out = this.mem.createSnapshot(index, conf, f.data);
      this.mem.compact(to);
      // Lazy prefix compaction: runs wholly below the compaction point are already ignored. The run
      // holding the first kept entry stays; every run before it goes.
      let keep = 0;
      while (keep + 1 < this.#runs.length && this.#runs[keep + 1]! <= to + 1) keep++;
      if (keep > 0) {
        const below = this.#runs[keep]!;
        this.#runs = this.#runs.slice(keep);
        const log = this.#log as unknown as Level<Uint8Array, Uint8Array>;
        const p = log.clear({ lt: indexKey(below) }).catch(() => undefined);
        this.#background.add(p);
        void p.finally(() => this.#background.delete(p));
      }
      await this.#removeSnapshotFiles(replaced);
      return out;
    });
  }

  discardSnapshot(staged: StagedSnapshot): Promise<void> {
    return this.#staged.discard(staged);
  }

  async close(): Promise<void> {
    await this.idle();
    await Promise.all([...this.#background]);
    await this.#db.close();
  }
}

function chunkKey(i: number): string {
  return `data-${String(i).padStart(8, '0')}`;
}
