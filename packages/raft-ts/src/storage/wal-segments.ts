import { constants, type promises as fsp, writeSync } from 'node:fs';
import { open as openFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './snapshot-files.js';

const SEGMENT_SUFFIX = '.wal';
const PREPARING_SUFFIX = '.wal.tmp';
/** Zeros written per call while a segment is preallocated. */
const FILL_CHUNK = 1024 * 1024;

export function segmentName(seq: number): string {
  return `${seq.toString(16).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

/** The sequence numbers of the segments in `dir`, ascending; removes segments left half prepared. */
export async function listSegments(dir: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const name of await readdir(dir)) {
    if (name.endsWith(PREPARING_SUFFIX)) await unlink(join(dir, name)).catch(() => undefined);
    else if (/^[0-9a-f]{16}\.wal$/.test(name)) seqs.push(Number.parseInt(name.slice(0, 16), 16));
  }
  return seqs.sort((a, b) => a - b);
}

/**
 * A segment file filled with `bytes` zeros and synced under a temporary name (0600), so that
 * later writes into it change no file size and allocate no block: a synced write is then only the
 * data (etcd preallocates its WAL segments for the same reason). `install` gives it its name.
 */
export async function prepareSegment(dir: string, seq: number, bytes: number): Promise<PreparedSegment> {
  const path = join(dir, `${segmentName(seq)}.tmp`);
  await unlink(path).catch(() => undefined);
  const fh = await openFile(path, 'wx', 0o600);
  try {
    const zeros = Buffer.alloc(Math.min(FILL_CHUNK, bytes));
    for (let o = 0; o < bytes; o += zeros.byteLength) await fh.write(zeros, 0, Math.min(zeros.byteLength, bytes - o), o);
    await fh.datasync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
  return { dir, seq, path };
}

export interface PreparedSegment {
  readonly dir: string;
  readonly seq: number;
  readonly path: string;
}

/** Renames a prepared segment to its own name, durably. */
export async function installSegment(p: PreparedSegment): Promise<string> {
  const path = join(p.dir, segmentName(p.seq));
  await rename(p.path, path);
  await syncDir(p.dir);
  return path;
}

/**
 * The open segment being appended to: one descriptor opened with O_DSYNC, whose positioned write
 * returns once the data is durable (a write and an fdatasync in one system call), and one without,
 * for writes that need not be synced.
 *
 * When `inlineBytes` is above 0, a synced write of at most that size is made on the event loop's own thread (`writeSync`), as
 * etcd's Raft loop saves to its WAL: the thread sleeps in the kernel for the disk, and is woken
 * once, instead of handing the write to the thread pool and being woken again by its completion
 * (on a busy machine every wake-up waits for a core). It runs after the current tick's queued
 * callbacks (`process.nextTick`), so that a leader's appends, queued before its write, are on the
 * wire first. Larger writes go through the thread pool, so the loop never stalls long.
 */
export class SegmentWriter {
  readonly seq: number;
  readonly path: string;
  /** Offset of the next record. */
  offset: number;
  /** Writes made through the unsynced descriptor since the last sync. */
  #unsynced = false;
  readonly #synced: fsp.FileHandle;
  readonly #plain: fsp.FileHandle;

  readonly #inlineBytes: number;

  private constructor(seq: number, path: string, offset: number, synced: fsp.FileHandle, plain: fsp.FileHandle, inlineBytes: number) {
    this.#inlineBytes = inlineBytes;
    this.seq = seq;
    this.path = path;
    this.offset = offset;
    this.#synced = synced;
    this.#plain = plain;
  }

  static async open(seq: number, path: string, offset: number, inlineBytes: number): Promise<SegmentWriter> {
    const synced = await openFile(path, constants.O_WRONLY | constants.O_DSYNC);
    try {
      return new SegmentWriter(seq, path, offset, synced, await openFile(path, constants.O_WRONLY), inlineBytes);
    } catch (err) {
      await synced.close();
      throw err;
    }
  }

  /** Writes `data` at the current offset (durably when `sync`) and moves past it. */
  async append(data: Uint8Array, sync: boolean): Promise<void> {
    const at = this.offset;
    let done = 0;
    // Earlier unsynced records are made durable first: an O_DSYNC write syncs only its own range,
    // so after a power loss a synced record could otherwise follow a hole where they were, and a
    // hole followed by a valid record is damage the log refuses to start on.
    if (sync && this.#unsynced) {
      await this.#plain.datasync();
      this.#unsynced = false;
    }
    if (sync && data.byteLength <= this.#inlineBytes) {
      await new Promise<void>((resolve) => process.nextTick(resolve));
      while (done < data.byteLength) done += writeSync(this.#synced.fd, data, done, data.byteLength - done, at + done);
    }
    while (done < data.byteLength) {
      const { bytesWritten } = await (sync ? this.#synced : this.#plain).write(data, done, data.byteLength - done, at + done);
      done += bytesWritten;
    }
    if (!sync) this.#unsynced = true;
    this.offset = at + data.byteLength;
  }

  /** Overwrites `from`..`to` with zeros and syncs (clears a torn tail before the next record goes there). */
  async clear(from: number, to: number): Promise<void> {
    if (to <= from) return;
    await this.#synced.write(Buffer.alloc(to - from), 0, to - from, from);
  }

  async close(): Promise<void> {
    if (this.#unsynced) await this.#plain.datasync().catch(() => undefined);
    await Promise.all([this.#synced.close(), this.#plain.close()]);
  }
}
