/** The JSON entry format shared by `kv export` and `kv import`. */
import type { KVPair } from '@concord/api';

export interface KVEntry {
  key: string;
  flags: number;
  /** Base64 of the value. */
  value: string;
}

export function toEntry(pair: KVPair): KVEntry {
  return { key: pair.Key, flags: pair.Flags, value: (pair.Value ?? Buffer.alloc(0)).toString('base64') };
}
