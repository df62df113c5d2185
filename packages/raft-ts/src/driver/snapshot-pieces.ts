import type { Timers } from '@concord/simkit';
import type { SnapshotPieces } from './state-machine.js';

/**
 * A snapshot's pieces as an asynchronous iterable that takes at most one piece of a synchronous
 * source per loop turn (`timers.defer` between them), so that proposals, messages and writes run
 * between pieces. An asynchronous source (or an array, already built) is passed through.
 */
export async function* piecesOffLoop(source: SnapshotPieces, timers: Pick<Timers, 'defer'>): AsyncGenerator<Uint8Array> {
  if (Array.isArray(source) || Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array>;
    return;
  }
  const it = (source as Iterable<Uint8Array>)[Symbol.iterator]();
  let finished = false;
  try {
    for (let first = true; ; first = false) {
      if (!first) await new Promise<void>((resolve) => timers.defer(resolve));
      const r = it.next();
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    // taken no further (the storage failed): let the source release what it holds
    if (!finished) it.return?.();
  }
}
