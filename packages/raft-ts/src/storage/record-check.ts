import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { HardState } from '../core/types.js';
import { RecordCorruptError } from './entry-codec.js';

/** A hard state as stored: with a CRC-32 of its fields (absent in data dirs written before). */
export interface StoredHardState extends HardState {
  readonly crc?: number;
}

function hardStateChecksum(hs: HardState): number {
  return crc32(`${hs.term}/${hs.vote}/${hs.commit}`);
}

export function sealHardState(hs: HardState): StoredHardState {
  return { term: hs.term, vote: hs.vote, commit: hs.commit, crc: hardStateChecksum(hs) };
}

/** The hard state a stored record holds; throws `RecordCorruptError` when it is damaged. */
export function openHardState(rec: unknown): HardState {
  const r = rec as Partial<StoredHardState> | null;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.term) || !Number.isSafeInteger(r.commit) || typeof r.vote !== 'string') {
    throw new RecordCorruptError('the hard state record does not decode');
  }
  const hs: HardState = { term: r.term!, vote: r.vote, commit: r.commit! };
  if (r.crc !== undefined && r.crc !== hardStateChecksum(hs)) throw new RecordCorruptError('the hard state record fails its checksum');
  return hs;
}

export function snapshotChecksum(data: Uint8Array): number {
  return crc32(data);
}

/**
 * What LevelDB reported while recovering its write-ahead log during this open, from the `LOG`
 * file it writes in the database directory: LevelDB (without paranoid checks, which the binding
 * does not expose) skips a damaged record, writes "dropping N bytes" there and opens anyway.
 * Returns the first such line, or undefined.
 */
export async function leveldbRecoveryDamage(dbPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dbPath, 'LOG'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (/dropping \d+ bytes|Corruption:/i.test(line)) return line.replace(/^\S+\s+\S+\s+/, '').trim();
  }
  return undefined;
}

/**
 * The file that keeps a damaged log refused: LevelDB rewrites its write-ahead log at the open
 * that found the damage, so the next open would look clean while the writes are still missing.
 */
const DAMAGED_MARKER = 'DAMAGED';

/** What an earlier open found wrong with this database, if anything. */
export async function damageRecorded(dbPath: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dbPath, DAMAGED_MARKER), 'utf8')).trim() || 'damage was found at an earlier start';
  } catch {
    return undefined;
  }
}

export async function recordDamage(dbPath: string, found: string): Promise<void> {
  await writeFile(join(dbPath, DAMAGED_MARKER), `${found}\n`, { mode: 0o600, flush: true }).catch(() => undefined);
}
