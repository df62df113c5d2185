/**
 * A state snapshot as JSON bytes without one JavaScript string holding them all: V8 caps a
 * string at 2^29 - 24 characters, which a KV store passes at about 1.2 million 256-byte values.
 * The bytes are exactly `JSON.stringify(snapshot)`; only the `kv` array (the one part that grows
 * that large) is written, and read back, in slices.
 */
import { StateError } from './errors.js';
import type { KvEntry } from './types.js';

/** KV entries serialized (or parsed) per slice. */
const KV_SLICE = 10_000;
const KV_MARK = '"kv":[';

/** `JSON.stringify(snapshot)` as bytes; `snapshot.kv` is written `KV_SLICE` entries at a time. */
export function snapshotToBytes(snapshot: { kv: readonly KvEntry[] }): Buffer {
  const { kv } = snapshot;
  // `kv` keeps its place among the keys; the first "kv":[] is the top-level one (the keys before
  // it hold numbers and a plain string)
  const json = JSON.stringify({ ...snapshot, kv: [] });
  const at = json.indexOf(`${KV_MARK}]`);
  const head = json.slice(0, at);
  const tail = json.slice(at + KV_MARK.length + 1);
  const parts: Buffer[] = [Buffer.from(`${head}${KV_MARK}`)];
  for (let i = 0; i < kv.length; i += KV_SLICE) {
    const slice = JSON.stringify(kv.slice(i, i + KV_SLICE));
    // the slice's own brackets dropped; slices after the first joined with a comma
    parts.push(Buffer.from(`${i === 0 ? '' : ','}${slice.slice(1, -1)}`));
  }
  parts.push(Buffer.from(`]${tail}`));
  return Buffer.concat(parts);
}

/**
 * Parses snapshot JSON bytes. Up to `wholeLimit` bytes they are parsed at once; larger ones have
 * their top-level `kv` array cut out at entry boundaries and parsed `KV_SLICE` entries at a time.
 */
export function snapshotFromBytes<T extends { kv: KvEntry[] }>(bytes: Uint8Array, wholeLimit = 256 * 2 ** 20): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
