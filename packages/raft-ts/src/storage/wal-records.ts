import { crc32 } from 'node:zlib';
import type { ConfState, Entry, HardState } from '../core/types.js';
import { decodeRun, encodeRun, RecordCorruptError } from './entry-codec.js';

/**
 * The records of a write-ahead log segment. Each is 8-byte aligned: payload length (u32 BE),
 * CRC-32 (u32) of the length and of everything after the CRC (type, payload, padding), type
 * (1 byte), payload, zero padding to the next multiple of 8. A
 * segment is preallocated with zeros, so a header of eight zero bytes marks the end of its data.
 */
export const WalRecordType = {
  /** A run of consecutive entries: first index (u64), then `encodeRun`. Replaces the log from its first index on. */
  Entries: 1,
  /** term (u64), commit (u64), vote (UTF-8, the rest). */
  HardState: 2,
  /** The current snapshot's metadata and file (JSON). */
  Snapshot: 3,
  /** index (u64), term (u64): entries up to index are compacted away. */
  Compact: 4,
  /** index (u64), term (u64): the whole log is replaced by a received snapshot at index. */
  Reset: 5,
} as const;
type RecordTypes = typeof WalRecordType;

const HEADER = 9;
/** Largest payload one record may claim; checked before anything is read or allocated for it. */
export const MAX_RECORD_PAYLOAD = 1024 * 1024 * 1024;
/** Sector size a torn write is judged by: a write that did not complete leaves whole sectors unwritten (zero). */
const SECTOR = 512;

export interface SnapshotRef {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
  readonly file: string;
  readonly bytes: number;
  readonly crc: number;
}

export type WalRecord =
  | { readonly type: RecordTypes['Entries']; readonly entries: Entry[] }
  | { readonly type: RecordTypes['HardState']; readonly hardState: HardState }
  | { readonly type: RecordTypes['Snapshot']; readonly snapshot: SnapshotRef }
  | { readonly type: RecordTypes['Compact'] | RecordTypes['Reset']; readonly index: number; readonly term: number };

const align8 = (n: number): number => (n + 7) & ~7;

function putU64(v: DataView, o: number, n: number): void {
  v.setUint32(o, Math.floor(n / 0x1_0000_0000));
  v.setUint32(o + 4, n >>> 0);
}

function getU64(v: DataView, o: number): number {
  return v.getUint32(o) * 0x1_0000_0000 + v.getUint32(o + 4);
}

function payloadOf(r: WalRecord): Uint8Array {
  switch (r.type) {
    case WalRecordType.Entries: {
      const run = encodeRun(r.entries);
      const b = new Uint8Array(8 + run.byteLength);
      putU64(new DataView(b.buffer), 0, r.entries[0]!.index);
      b.set(run, 8);
      return b;
    }
    case WalRecordType.HardState: {
      const vote = Buffer.from(r.hardState.vote, 'utf8');
      const b = new Uint8Array(16 + vote.byteLength);
      const v = new DataView(b.buffer);
      putU64(v, 0, r.hardState.term);
      putU64(v, 8, r.hardState.commit);
      b.set(vote, 16);
      return b;
    }
    case WalRecordType.Snapshot:
      return Buffer.from(JSON.stringify(r.snapshot), 'utf8');
    default: {
      const b = new Uint8Array(16);
      const v = new DataView(b.buffer);
      putU64(v, 0, r.index);
      putU64(v, 8, r.term);
      return b;
    }
  }
}

/** The records framed one after the other, ready to be written at an 8-aligned offset. */
export function encodeRecords(records: readonly WalRecord[]): Uint8Array {
  const payloads = records.map(payloadOf);
  let size = 0;
  for (const p of payloads) size += align8(HEADER + p.byteLength);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let o = 0;
  for (let i = 0; i < records.length; i++) {
    const p = payloads[i]!;
    v.setUint32(o, p.byteLength);
    out[o + 8] = records[i]!.type;
    out.set(p, o + HEADER);
    const end = o + align8(HEADER + p.byteLength);
    v.setUint32(o + 4, crc32(out.subarray(o + 8, end), crc32(out.subarray(o, o + 4))));
    o = end;
  }
  return out;
}

function decodePayload(type: number, p: Uint8Array, at: string): WalRecord {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  switch (type) {
    case WalRecordType.Entries: {
      if (p.byteLength < 8) throw new RecordCorruptError(`the entries record ${at} is shorter than its header`);
      const first = getU64(v, 0);
      return { type, entries: decodeRun(first, p.subarray(8)) };
    }
    case WalRecordType.HardState:
      if (p.byteLength < 16) throw new RecordCorruptError(`the hard state record ${at} is too short`);
      return { type, hardState: { term: getU64(v, 0), commit: getU64(v, 8), vote: Buffer.from(p.buffer, p.byteOffset + 16, p.byteLength - 16).toString('utf8') } };
    case WalRecordType.Snapshot: {
      let s: Partial<SnapshotRef>;
      try {
        s = JSON.parse(Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8')) as Partial<SnapshotRef>;
      } catch {
        throw new RecordCorruptError(`the snapshot record ${at} does not decode`);
      }
      if (
        !Number.isSafeInteger(s.index) ||
        !Number.isSafeInteger(s.term) ||
        typeof s.file !== 'string' ||
        !/^[\w.-]+$/.test(s.file) ||
        typeof s.conf !== 'object' ||
        s.conf === null
      ) {
        throw new RecordCorruptError(`the snapshot record ${at} does not decode`);
      }
      return { type, snapshot: s as SnapshotRef };
    }
    case WalRecordType.Compact:
    case WalRecordType.Reset:
      if (p.byteLength !== 16) throw new RecordCorruptError(`the ${type === WalRecordType.Compact ? 'compaction' : 'reset'} record ${at} has the wrong size`);
      return { type, index: getU64(v, 0), term: getU64(v, 8) };
    default:
      throw new RecordCorruptError(`the record ${at} has an unknown type ${type}`);
  }
}

/** Whether a well-formed record whose checksum holds starts at `o` (its length, type and CRC are all checked). */
function validAt(b: Uint8Array, v: DataView, o: number): boolean {
  const len = v.getUint32(o);
  if (len === 0 && v.getUint32(o + 4) === 0) return false;
  if (len > MAX_RECORD_PAYLOAD || o + align8(HEADER + len) > b.byteLength) return false;
  const type = b[o + 8]!;
  if (type < WalRecordType.Entries || type > WalRecordType.Reset) return false;
  return v.getUint32(o + 4) === crc32(b.subarray(o + 8, o + align8(HEADER + len)), crc32(b.subarray(o, o + 4)));
}

function firstValidFrom(b: Uint8Array, v: DataView, from: number): number {
  for (let o = align8(from); o + HEADER <= b.byteLength; o += 8) if (validAt(b, v, o)) return o;
  return -1;
}

function hasZeroSector(b: Uint8Array, from: number, to: number): boolean {
  for (let s = Math.floor(from / SECTOR) * SECTOR; s < to; s += SECTOR) {
    const end = Math.min(s + SECTOR, to);
    let zero = true;
    for (let i = Math.max(s, from); i < end; i++) {
      if (b[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) return true;
  }
  return false;
}

function lastNonZero(b: Uint8Array, from: number): number {
  for (let i = b.byteLength - 1; i >= from; i--) if (b[i] !== 0) return i;
  return -1;
}

export interface ScannedSegment {
  readonly records: WalRecord[];
  /** Highest entry index each record of type Entries holds, in order (for compaction). */
  readonly maxIndex: number;
  /** Where the next record goes: the end of the valid records. */
  readonly end: number;
  /**
   * A tail to clear before writing at `end`: bytes of a write that did not complete (a torn last
   * record, or sectors of one written without its header), from `end` to `tailEnd`.
   */
  readonly tailEnd: number;
}

/**
 * Reads a segment's records. A record that does not check is a torn write only in the last segment,
 * when no valid record follows it and one of its sectors was never written (all zero), as etcd
 * judges a torn WAL entry: then the segment ends there and the rest is to be cleared. Anything else
 * (a bad checksum with valid records after it, a complete record that fails its checksum, a length
 * beyond the file, damage in an earlier segment) throws `RecordCorruptError`: acknowledged writes
 * would be missing.
 */
export function scanSegment(b: Uint8Array, name: string, last: boolean): ScannedSegment {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const records: WalRecord[] = [];
  let maxIndex = 0;
  let o = 0;
  let bad: string | undefined;
  let badSpanEnd = 0;
  let torn = false;
  while (o + HEADER <= b.byteLength) {
    const len = v.getUint32(o);
    if (len === 0 && v.getUint32(o + 4) === 0) break;
    const at = `at offset ${o} of segment ${name}`;
    if (len > MAX_RECORD_PAYLOAD || o + align8(HEADER + len) > b.byteLength) {
      bad = `the record ${at} claims ${len} bytes, past the end of the segment`;
      break;
    }
    if (!validAt(b, v, o)) {
      bad = `the record ${at} fails its checksum`;
      badSpanEnd = o + align8(HEADER + len);
      torn = hasZeroSector(b, o, o + HEADER + len);
      break;
    }
    const rec = decodePayload(b[o + 8]!, b.subarray(o + HEADER, o + HEADER + len), at);
    if (rec.type === WalRecordType.Entries && rec.entries.length > 0) maxIndex = Math.max(maxIndex, rec.entries[rec.entries.length - 1]!.index);
    records.push(rec);
    o += align8(HEADER + len);
  }
  const after = firstValidFrom(b, v, Math.max(o + 8, badSpanEnd));
  if (after >= 0) throw new RecordCorruptError(`${bad ?? `the data of segment ${name} stops at offset ${o}`}, and a valid record follows at offset ${after}`);
  if (bad !== undefined && !(last && torn)) throw new RecordCorruptError(bad);
  const tail = lastNonZero(b, o);
  if (tail >= 0 && !last) throw new RecordCorruptError(`segment ${name} holds unreadable bytes after its last record (offset ${o})`);
  return { records, maxIndex, end: o, tailEnd: Math.max(tail + 1, o) };
}
