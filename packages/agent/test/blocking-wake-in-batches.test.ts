/**
 * The blocking wait (`waitForChange`, what every blocking query parks on): one change waking tens
 * of thousands of waiters resumes every one of them with `true`, a batch per turn of the event
 * loop, so that work queued meanwhile (a timer, I/O) runs before the last of them resumes.
 * Waiters that time out or are aborted resolve `false` and leave nothing behind.
 */
import test from 'ava';
import { StateStore } from '@concord/state';
import { waitForChange } from '../src/rpc/blocking.js';

test('one change resumes 30,000 waiters, all with true, letting the event loop turn between batches', async (t) => {
  const store = new StateStore({ datacenter: 'dc1' });
  const never = new AbortController().signal;
  const waits = Array.from({ length: 30_000 }, () => waitForChange(60_000, never, (cb) => store.watch(['kv:k'], cb)));
  t.is(store.watcherCount, 30_000);
  let resumed = 0;
  for (const w of waits) void w.then(() => resumed++);
  let resumedWhenLoopTurned = -1;
  store.apply(1, { type: 'kv', op: { Verb: 'set', Key: 'k', Value: null } });
  setImmediate(() => setImmediate(() => (resumedWhenLoopTurned = resumed)));
  t.deepEqual(new Set(await Promise.all(waits)), new Set([true]));
  t.is(store.watcherCount, 0);
  t.true(resumedWhenLoopTurned > 0 && resumedWhenLoopTurned < 30_000, `the loop turned after ${resumedWhenLoopTurned} of 30,000 resumed`);
});

test('a waiter resolves false on its timeout or its abort, and its watch is gone', async (t) => {
  const store = new StateStore({ datacenter: 'dc1' });
  const timedOut = waitForChange(20, new AbortController().signal, (cb) => store.watch(['kv:a'], cb));
  const ac = new AbortController();
  const aborted = waitForChange(60_000, ac.signal, (cb) => store.watch(['kv:b'], cb));
  ac.abort();
  t.false(await aborted);
  t.false(await timedOut);
  t.is(store.watcherCount, 0);
  const already = new AbortController();
  already.abort();
  t.false(await waitForChange(60_000, already.signal, (cb) => store.watch(['kv:c'], cb)));
  t.is(store.watcherCount, 0);
});
