/**
 * `GET /v1/snapshot` answered by this server as a stream: the state is captured at one index at
 * once (a copy of the KV entry references), then the snapshot file (gzip of its JSON document, the
 * document `encodeSnapshotFile` makes, compressed at gzip's fastest level: a million keys are
 * ~400 MB of JSON) is written a slice of entries at a time. Between
 * slices the event loop serves other requests, gzip runs on libuv's thread pool, and the
 * response's backpressure bounds what is held in memory: no single string or buffer holds the file.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { constants, createGzip } from 'node:zlib';
import type { StateStore } from '@concord/state';
import type { SnapshotFile } from '../rpc/methods/snapshot-file.js';

/** The snapshot file's JSON document in pieces, yielding to the event loop between them. */
async function* documentPieces(head: Omit<SnapshotFile, 'state'>, pieces: Iterable<string>): AsyncGenerator<Buffer> {
  // the document's keys in encodeSnapshotFile's order, `state` last
  yield Buffer.from(`${JSON.stringify(head).slice(0, -1)},"state":`);
  for (const piece of pieces) {
    yield Buffer.from(piece);
    await nextTurn();
  }
  yield Buffer.from('}');
}

/** A snapshot of `state` as it is now: its index, and a function that streams its file to a response. */
export function captureSnapshotFile(state: StateStore): { index: number; writeTo(res: ServerResponse): Promise<void> } {
  const { index, datacenter, pieces } = state.snapshotJsonPieces();
  return {
    index,
    writeTo: (res) =>
      pipeline(Readable.from(documentPieces({ format: 'concord-snapshot', version: 1, index, datacenter }, pieces)), createGzip({ level: constants.Z_BEST_SPEED }), res),
  };
}
