import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SnapshotMeta } from '../core/types.js';
import { InvariantViolation } from '../errors.js';
import type { StagedSnapshot } from './durable-storage.js';
import { RecordCorruptError } from './entry-codec.js';
import { gatherPieces } from './gather-pieces.js';

const SNAPSHOT_SUFFIX = '.snap';
let fileSeq = 0;

/** A snapshot file written and synced, not yet (or no longer) named as the current snapshot. */
export interface SnapshotFile {
  readonly file: string;
  readonly bytes: number;
  readonly crc: number;
  readonly data: Uint8Array;
}

/**
 * Writes `pieces` to a new 0600 file in `dir` (created 0700 when missing), synced together with
 * its directory entry, and returns its name, size, CRC-32 and the joined data. The file replaces
 * nothing: the caller names it in its own durable record. A failure removes the partial file.
 */
export async function writeSnapshotFile(dir: string, meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<SnapshotFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = `${meta.index.toString(16).padStart(16, '0')}-${meta.term}-${(++fileSeq).toString(36)}${randomBytes(4).toString('hex')}${SNAPSHOT_SUFFIX}`;
  const path = join(dir, file);
  const fh = await openFile(path, 'wx', 0o600);
  let crc = 0;
  let bytes = 0;
  let data: Uint8Array;
  try {
    data = await gatherPieces(pieces, async (piece) => {
      await fh.write(piece);
      crc = crc32(piece, crc);
      bytes += piece.byteLength;
    });
    await fh.datasync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await syncDir(dir);
  return { file, bytes, crc, data };
}

/** The data of snapshot file `file` in `dir`, checked against the size and CRC its record holds. */
export async function readSnapshotFile(dir: string, rec: { readonly index: number; readonly file: string; readonly bytes?: number; readonly crc?: number }): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = await readFile(join(dir, rec.file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordCorruptError(`the file ${rec.file} of the snapshot at index ${rec.index} is missing`);
    throw err;
  }
  if (rec.bytes !== undefined && data.byteLength !== rec.bytes) {
    throw new RecordCorruptError(`the file of the snapshot at index ${rec.index} holds ${data.byteLength} bytes, not ${rec.bytes}`);
  }
  if (rec.crc !== undefined && rec.crc !== crc32(data)) throw new RecordCorruptError(`the snapshot at index ${rec.index} fails its checksum`);
  return data;
}

/** Removes every file in `dir` but `keep` (snapshots staged and never committed, or replaced ones not yet removed). */
export async function removeSnapshotFilesBut(dir: string, keep: string | undefined): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) if (name !== keep) await unlink(join(dir, name)).catch(() => undefined);
}

export async function removeSnapshotFiles(dir: string, files: readonly string[]): Promise<void> {
  for (const f of files) await unlink(join(dir, f)).catch(() => undefined);
}

/** fsync a directory, so that a file created or renamed in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await openFile(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Snapshot files staged in a directory and neither committed nor discarded yet. */
export class StagedSnapshotFiles {
  readonly #dir: string;
  readonly #staged = new Map<StagedSnapshot, SnapshotFile>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async stage(meta: SnapshotMeta, pieces: AsyncIterable<Uint8Array>): Promise<StagedSnapshot> {
    const f = await writeSnapshotFile(this.#dir, meta, pieces);
    const staged: StagedSnapshot = { meta, bytes: f.bytes };
    this.#staged.set(staged, f);
    return staged;
  }

  /** The file of a staged snapshot, which its caller now owns. */
  take(staged: StagedSnapshot): SnapshotFile {
    const f = this.#staged.get(staged);
    if (f === undefined) throw new InvariantViolation(`snapshot at ${staged.meta.index} was not staged here, or was committed or discarded already`);
    this.#staged.delete(staged);
    return f;
  }

  async discard(staged: StagedSnapshot): Promise<void> {
    const f = this.#staged.get(staged);
    if (f === undefined) return;
    this.#staged.delete(staged);
    await removeSnapshotFiles(this.#dir, [f.file]);
  }
}

/** `data` as the pieces of a snapshot. */
export async function* oneShot(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}
