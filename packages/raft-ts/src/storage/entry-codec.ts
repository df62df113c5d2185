import { crc32 } from 'node:zlib';
import type { Entry } from '../core/types.js';

/** A stored record that does not decode or fails its checksum. */
export class RecordCorruptError extends Error {}

/** 8-byte big-endian key: byte order equals numeric order in LevelDB. */
export function indexKey(index: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, Math.floor(index / 0x1_0000_0000));
  v.setUint32(4, index >>> 0);
  return b;
}

export function keyIndex(key: Uint8Array): number {
  const v = new DataView(key.buffer, key.byteOffset, 8);
  return v.getUint32(0) * 0x1_0000_0000 + v.getUint32(4);
}

/**
 * A run of consecutive entries stored under the index of its first one: marker byte 0x02, entry
 * count (u32), CRC-32 (u32) of the key, the count and the entries, then per entry term (u64),
 * type (1 byte), data length (u32) and data. One run per write keeps the per-key cost of LevelDB
 * off the hot path; the checksum catches a damaged or misplaced record when the log is loaded.
 * Runs with marker 0x01 (no checksum, no CRC field) and single entries are still read.
 */
const RUN_MARKER_V1 = 0x01;
const RUN_MARKER = 0x02;
const RUN_HEADER_V1 = 5;
const RUN_HEADER = 9;
const ENTRY_HEADER = 13;

function runChecksum(first: number, b: Uint8Array): number {
  return crc32(b.subarray(RUN_HEADER), crc32(b.subarray(1, 5), crc32(indexKey(first))));
}

export function encodeRun(entries: readonly Entry[]): Uint8Array {
  let size = RUN_HEADER;
  for (const e of entries) size += ENTRY_HEADER + e.data.byteLength;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b[0] = RUN_MARKER;
  v.setUint32(1, entries.length);
  let o = RUN_HEADER;
  for (const e of entries) {
    v.setUint32(o, Math.floor(e.term / 0x1_0000_0000));
    v.setUint32(o + 4, e.term >>> 0);
    b[o + 8] = e.type === 'conf' ? 1 : 0;
    v.setUint32(o + 9, e.data.byteLength);
    b.set(e.data, o + ENTRY_HEADER);
    o += ENTRY_HEADER + e.data.byteLength;
  }
  if (entries.length > 0) v.setUint32(5, runChecksum(entries[0]!.index, b));
  return b;
}

/**
 * Decode the value stored under `first`: a run, or a single entry in the earlier one-entry-per-key
 * format (term, type, data; its first byte is the top byte of a term, always 0), which data
 * directories written before runs still hold.
 */
export function decodeRun(first: number, b: Uint8Array): Entry[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] !== RUN_MARKER && b[0] !== RUN_MARKER_V1) {
    if (b[0] !== 0 || b.byteLength < 9) throw new RecordCorruptError(`the record at index ${first} is in no known format`);
    const term = v.getUint32(0) * 0x1_0000_0000 + v.getUint32(4);
    return [{ index: first, term, type: b[8] === 1 ? 'conf' : 'normal', data: b.subarray(9) }];
  }
  const header = b[0] === RUN_MARKER ? RUN_HEADER : RUN_HEADER_V1;
  if (b.byteLength < header) throw new RecordCorruptError(`the record at index ${first} is shorter than its header`);
  if (header === RUN_HEADER && v.getUint32(5) !== runChecksum(first, b)) {
    throw new RecordCorruptError(`the record at index ${first} fails its checksum`);
  }
  const n = v.getUint32(1);
  const out: Entry[] = [];
  let o = header;
  for (let i = 0; i < n; i++) {
    if (o + ENTRY_HEADER > b.byteLength) throw new RecordCorruptError(`the record at index ${first} is truncated at entry ${i} of ${n}`);
    const term = v.getUint32(o) * 0x1_0000_0000 + v.getUint32(o + 4);
    const len = v.getUint32(o + 9);
    const start = o + ENTRY_HEADER;
    if (start + len > b.byteLength) throw new RecordCorruptError(`the record at index ${first} is truncated at entry ${i} of ${n}`);
    out.push({ index: first + i, term, type: b[o + 8] === 1 ? 'conf' : 'normal', data: b.subarray(start, start + len) });
    o = start + len;
  }
  if (o !== b.byteLength) throw new RecordCorruptError(`the record at index ${first} has ${b.byteLength - o} bytes after its last entry`);
  return out;
}
