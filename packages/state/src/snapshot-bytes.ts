/**
 * A state snapshot as bytes, written and read a piece at a time: no JavaScript string ever holds
 * it all (V8 caps a string at 2^29 - 24 characters, which a JSON snapshot of a KV store passes at
 * about 1.2 million 256-byte values), and a writer can yield between pieces.
 *
 * Format: the 8-byte magic `CCSNAP2\n`, a u32 length and the snapshot without its KV entries as
 * JSON, a u32 entry count, then one binary record per KV entry in key order (./kv-records.ts).
 * Snapshots stored before this format (the snapshot's JSON) are still read.
 */
import { StateError } from './errors.js';
import { KvRecordReader, KvRecordWriter } from './kv-records.js';
import type { KvEntry } from './types.js';

const MAGIC = Buffer.from('CCSNAP2\n');
/** KV entries serialized (or parsed) per slice of a JSON snapshot. */
const KV_SLICE = 2_000;
const KV_MARK = '"kv":[';

/**
 * Entries encoded between two hand-overs of `snapshotPieces`: the caller yields to other work
 * between pieces, so this bounds the time a snapshot holds the event loop (4,096 entries, with
 * the garbage they make, held a loaded leader's loop for 100 ms and more at a time).
 */
const ENTRIES_PER_PIECE = 512;
/** A piece with no bytes: a place to yield when no buffer was filled since the last piece. */
const PAUSE = Buffer.alloc(0);

/**
 * The snapshot's bytes, a piece (about a MiB, or an empty one every `ENTRIES_PER_PIECE` entries
 * when no MiB was filled) at a time. Everything but the KV entries is
 * serialized at once; the entries as the pieces are taken, so the caller passes entries it will
 * not change meanwhile (the store's are immutable: a write replaces the entry, in a copied array).
 */
export function snapshotPieces(snapshot: { kv: readonly KvEntry[] }): Iterable<Buffer> {
  return capturedSnapshotPieces({ ...snapshot, kv: undefined }, snapshot.kv.length, snapshot.kv);
}

/**
 * `snapshotPieces` of a snapshot whose `count` KV entries come from `entries` (a capture read as
 * the pieces are taken), `rest` being everything else. Ending the iteration early ends `entries`'.
 */
export function capturedSnapshotPieces(rest: object, count: number, entries: Iterable<KvEntry>): Generator<Buffer> {
  return binaryPieces(Buffer.from(JSON.stringify({ ...rest, kv: undefined })), count, entries);
}

function* binaryPieces(head: Buffer, count: number, entries: Iterable<KvEntry>): Generator<Buffer> {
  const w = new KvRecordWriter();
  w.bytes(MAGIC);
  w.u32(head.length);
  w.bytes(head);
  w.u32(count);
  let i = 0;
  for (const e of entries) {
    w.entry(e);
    if (++i % ENTRIES_PER_PIECE === 0) {
      const full = w.take();
      if (full.length > 0) yield* full;
      else yield PAUSE;
    }
  }
  if (i !== count) throw new StateError('STATE_INVALID_REQUEST', `snapshot of ${count} entries got ${i}`);
  yield* w.flush();
}

/**
 * `JSON.stringify(snapshot)` in pieces of at most `KV_SLICE` KV entries each; as `snapshotPieces`,
 * everything but the entries is serialized at once.
 */
export function snapshotJsonPieces(snapshot: { kv: readonly KvEntry[] }): Iterable<string> {
  return capturedSnapshotJsonPieces(snapshot, snapshot.kv);
}

/** `snapshotJsonPieces` with the KV entries from `entries`, `rest` being everything else. */
export function capturedSnapshotJsonPieces(rest: object, entries: Iterable<KvEntry>): Iterable<string> {
  // `kv` keeps its place among the keys; the first "kv":[] is the top-level one (the keys before
  // it hold numbers and a plain string)
  const json = JSON.stringify({ ...rest, kv: [] });
  const at = json.indexOf(`${KV_MARK}]`);
  return jsonPieces(json.slice(0, at + KV_MARK.length), entries, json.slice(at + KV_MARK.length));
}

function* jsonPieces(head: string, entries: Iterable<KvEntry>, tail: string): Generator<string> {
  yield head;
  let slice: KvEntry[] = [];
  let first = true;
  const out = function* (): Generator<string> {
    const text = JSON.stringify(slice);
    // the slice's own brackets dropped; slices after the first joined with a comma
    yield `${first ? '' : ','}${text.slice(1, -1)}`;
    first = false;
    slice = [];
  };
  for (const e of entries) {
    slice.push(e);
    if (slice.length === KV_SLICE) yield* out();
  }
  if (slice.length > 0) yield* out();
  yield tail;
}

/** The whole snapshot as one buffer (what raft stores). */
export function snapshotToBytes(snapshot: { kv: readonly KvEntry[] }): Buffer {
  return Buffer.concat([...snapshotPieces(snapshot)]);
}

/**
 * Reads snapshot bytes back: the binary format, or a JSON snapshot (of an older version). The
 * entries come back in the order written, which for the store's snapshots is key order.
 */
export function snapshotFromBytes<T extends { kv: KvEntry[] }>(bytes: Uint8Array, wholeLimit = 256 * 2 ** 20): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC)) return binarySnapshot<T>(buf);
  return jsonSnapshot<T>(buf, wholeLimit);
}

function binarySnapshot<T extends { kv: KvEntry[] }>(buf: Buffer): T {
  try {
    const r = new KvRecordReader(buf, MAGIC.length);
    const snapshot = JSON.parse(r.bytes(r.u32()).toString('utf8')) as T;
    if (typeof snapshot !== 'object' || snapshot === null) throw new Error('no snapshot header');
    const count = r.u32();
    // each record takes at least 30 bytes: a count the bytes cannot hold is refused before any allocation
    if (count * 30 > buf.length - r.offset) throw new Error(`${count} entries cannot fit in ${buf.length - r.offset} bytes`);
    const kv = new Array<KvEntry>(count);
    for (let i = 0; i < count; i++) kv[i] = r.entry();
    if (r.offset !== buf.length) throw new Error(`${buf.length - r.offset} bytes after the last entry`);
    snapshot.kv = kv;
    return snapshot;
  } catch (err) {
    throw new StateError('STATE_INVALID_REQUEST', `undecodable snapshot: ${(err as Error).message}`);
  }
}

/**
 * Parses snapshot JSON bytes. Up to `wholeLimit` bytes they are parsed at once; larger ones have
 * their top-level `kv` array cut out at entry boundaries and parsed `KV_SLICE` entries at a time.
 */
function jsonSnapshot<T extends { kv: KvEntry[] }>(buf: Buffer, wholeLimit: number): T {
  try {
    if (buf.length <= wholeLimit) return JSON.parse(buf.toString('utf8')) as T;
    const start = buf.indexOf(KV_MARK);
    if (start < 0) throw new Error('no "kv" array');
    const open = start + KV_MARK.length;
    const { ends, close } = entryEnds(buf, open);
    const head = buf.toString('utf8', 0, open);
    const tail = buf.toString('utf8', close);
    const snapshot = JSON.parse(`${head}${tail}`) as T; // tail starts at the closing bracket
    const kv: KvEntry[] = [];
    let from = open;
    for (let i = 0; i < ends.length; i += KV_SLICE) {
      const to = ends[Math.min(i + KV_SLICE, ends.length) - 1] as number;
      const text = buf.toString('utf8', from, to).replace(/^\s*,/, '');
      for (const e of JSON.parse(`[${text}]`) as KvEntry[]) kv.push(e);
      from = to;
    }
    snapshot.kv = kv;
    return snapshot;
  } catch (err) {
    throw new StateError('STATE_INVALID_REQUEST', `undecodable snapshot: ${(err as Error).message}`);
  }
}

/**
 * Walks the array whose contents start at `open`: the offset just past each top-level element,
 * and the offset of the closing bracket. Strings (with escapes) are skipped, so brackets inside
 * keys do not count.
 */
function entryEnds(buf: Buffer, open: number): { ends: number[]; close: number } {
  const ends: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = open; i < buf.length; i++) {
    const c = buf[i] as number;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return { ends, close: i };
      depth--;
      if (depth === 0) ends.push(i + 1);
    }
  }
  throw new Error('unterminated "kv" array');
}
