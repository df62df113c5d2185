/** The snapshot file `concord snapshot save` writes and `restore` reads. */
import { gzipSync } from 'node:zlib';
import type { StateSnapshot } from '@concord/state';
import { invalidRequest } from '../../errors/agent-error.js';

/** The snapshot file: gzip of this JSON document. */
export interface SnapshotFile {
  format: 'concord-snapshot';
  version: 1;
  index: number;
  datacenter: string;
  state: StateSnapshot;
}

export function encodeSnapshotFile(state: StateSnapshot): Buffer {
  const file: SnapshotFile = { format: 'concord-snapshot', version: 1, index: state.index, datacenter: state.datacenter, state };
  return gzipSync(Buffer.from(JSON.stringify(file)));
}

/** Parses an inflated snapshot document. */
export function parseSnapshotDocument(json: Buffer): SnapshotFile {
  let file: SnapshotFile;
  try {
    file = JSON.parse(json.toString('utf8')) as SnapshotFile;
  } catch (err) {
    throw invalidRequest(`Invalid snapshot: ${(err as Error).message}`);
  }
  if (file?.format !== 'concord-snapshot' || file.version !== 1 || typeof file.state !== 'object' || file.state === null) {
    throw invalidRequest('Invalid snapshot: not a Concord snapshot file');
  }
  return file;
}
