/**
 * The snapshot file `GET /v1/snapshot` returns and `PUT /v1/snapshot` takes:
 * gzip of the JSON document `{format: "concord-snapshot", version: 1, index,
 * datacenter, state: {kv: [...], nodes: [...], ...}}`.
 */
import { gunzipSync } from 'node:zlib';
import type { Arity } from '../../flags.js';

/** The one FILE argument of the snapshot commands. */
export const FILE_ARG: Arity = { min: 1, max: 1, missing: 'Missing FILE argument' };

export interface SnapshotFile {
  readonly format: 'concord-snapshot';
  readonly version: 1;
  readonly index: number;
  readonly datacenter: string;
  /** The state tables, each an array of entries (other fields are metadata). */
  readonly state: Readonly<Record<string, unknown>>;
}

/** Decodes and checks a snapshot; throws with the reason when it is not one. */
export function decodeSnapshot(bytes: Buffer): SnapshotFile {
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (err) {
    throw new Error(`not a gzip-compressed JSON snapshot (${err instanceof Error ? err.message : String(err)})`);
  }
  const file = doc as Partial<SnapshotFile> | null;
  if (file === null || typeof file !== 'object' || file.format !== 'concord-snapshot') {
    throw new Error('not a Concord snapshot file');
  }
  if (file.version !== 1) throw new Error(`unsupported snapshot version ${String(file.version)}`);
  if (typeof file.index !== 'number' || typeof file.state !== 'object' || file.state === null) {
    throw new Error('snapshot has no index or state');
  }
  return file as SnapshotFile;
}
