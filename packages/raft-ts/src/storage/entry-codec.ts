import type { Entry } from '../core/types.js';

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

/** Entry value: term (8 bytes), type (1 byte), data. The index is the key. */
export function encodeEntry(e: Entry): Uint8Array {
  const b = new Uint8Array(9 + e.data.byteLength);
  const v = new DataView(b.buffer);
  v.setUint32(0, Math.floor(e.term / 0x1_0000_0000));
  v.setUint32(4, e.term >>> 0);
  b[8] = e.type === 'conf' ? 1 : 0;
  b.set(e.data, 9);
  return b;
}

export function decodeEntry(index: number, b: Uint8Array): Entry {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const term = v.getUint32(0) * 0x1_0000_0000 + v.getUint32(4);
  return { index, term, type: b[8] === 1 ? 'conf' : 'normal', data: b.subarray(9) };
}
