import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelStorage } from '../src/level.js';
import type { Entry } from '../src/index.js';

const enc = new TextEncoder();
const ent = (term: number, index: number, s: string): Entry => ({ term, index, type: 'normal', data: enc.encode(s) });

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-level-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('entries and hard state survive reopening the database', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.save({ entries: [ent(1, 1, 'a'), ent(1, 2, 'b'), ent(2, 3, 'c')], hardState: { term: 2, vote: 'n1', commit: 2 }, snapshot: undefined }, true);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.deepEqual(r.initialState().hardState, { term: 2, vote: 'n1', commit: 2 });
  t.is(r.firstIndex(), 1);
  t.is(r.lastIndex(), 3);
  t.is(r.term(3), 2);
  t.deepEqual(new TextDecoder().decode(r.entries(2, 3, 1e9)[0]!.data), 'b');
});

test('a conflicting append deletes the old suffix in the same batch', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.save({ entries: [ent(1, 1, 'a'), ent(1, 2, 'b'), ent(1, 3, 'c'), ent(1, 4, 'd')], hardState: undefined, snapshot: undefined }, true);
  await s.save({ entries: [ent(2, 2, 'x')], hardState: { term: 2, vote: '', commit: 1 }, snapshot: undefined }, true);
  t.is(s.lastIndex(), 2);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 2);
  t.is(r.term(2), 2);
});

test('an application snapshot compacts the prefix and is restored on reopen', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  const ents: Entry[] = [];
  for (let i = 1; i <= 50; i++) ents.push(ent(1, i, `v${i}`));
  await s.save({ entries: ents, hardState: { term: 1, vote: '', commit: 50 }, snapshot: undefined }, true);
  const data = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => i % 251);
  await s.saveSnapshot(40, { voters: ['a', 'b'], learners: [] }, data, 30);
  t.is(s.firstIndex(), 31);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.firstIndex(), 31);
  t.is(r.lastIndex(), 50);
  const snap = r.snapshot();
  t.is(snap.meta.index, 40);
  t.deepEqual(snap.meta.conf.voters, ['a', 'b']);
  t.is(snap.data.byteLength, data.byteLength);
  t.is(snap.data[1234567], data[1234567]);
});

test('a snapshot received from the leader replaces the whole log', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  await s.save({ entries: [ent(1, 1, 'a'), ent(1, 2, 'b')], hardState: undefined, snapshot: undefined }, true);
  const snapshot = { meta: { index: 100, term: 3, conf: { voters: ['x'], learners: [] } }, data: enc.encode('state') };
  await s.save({ entries: [ent(3, 101, 'n')], hardState: { term: 3, vote: '', commit: 100 }, snapshot }, true);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.firstIndex(), 101);
  t.is(r.lastIndex(), 101);
  t.is(r.term(100), 3);
  t.is(new TextDecoder().decode(r.snapshot().data), 'state');
});

test('writes queued behind a running write are merged into one synced batch and resolve in order', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const order: number[] = [];
  const writes = [1, 2, 3, 4, 5].map((i) =>
    s.save({ entries: [ent(1, i, `v${i}`)], hardState: { term: 1, vote: '', commit: i - 1 }, snapshot: undefined }, true).then(() => order.push(i)),
  );
  await Promise.all(writes);
  t.deepEqual(order, [1, 2, 3, 4, 5]);
  t.is(s.lastIndex(), 5);
  t.true(s.syncs <= 2, `${s.syncs} synced batches for 5 queued writes`);
  t.is(s.entriesWritten, 5);
  t.deepEqual(s.initialState().hardState, { term: 1, vote: '', commit: 4 });
});

test('a merged batch applies a later truncation after an earlier append', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  const a = s.save({ entries: [ent(1, 1, 'a')], hardState: undefined, snapshot: undefined }, true);
  const b = s.save({ entries: [ent(1, 2, 'b'), ent(1, 3, 'c'), ent(1, 4, 'd')], hardState: undefined, snapshot: undefined }, true);
  const c = s.save({ entries: [ent(2, 3, 'x')], hardState: { term: 2, vote: '', commit: 1 }, snapshot: undefined }, true);
  await Promise.all([a, b, c]);
  t.is(s.lastIndex(), 3);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 3);
  t.is(r.term(3), 2);
  t.is(new TextDecoder().decode(r.entries(3, 4, 1e9)[0]!.data), 'x');
});

test('runs: random truncating appends, compactions and reopens always read back the live log', async (t) => {
  const dir = await tempDir(t);
  let seed = 0x2f6b1d;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let s = await LevelStorage.open(dir);
  const model = new Map<number, Entry>();
  let first = 1;
  let last = 0;
  let term = 1;
  let snapIndex = 0;
  const check = (st: LevelStorage, step: string): void => {
    t.is(st.firstIndex(), first, `${step}: first index`);
    t.is(st.lastIndex(), last, `${step}: last index`);
    if (last >= first) {
      const got = st.entries(first, last + 1, 1e12);
      const want = [...Array(last - first + 1).keys()].map((i) => model.get(first + i)!);
      t.deepEqual(
        got.map((e) => [e.index, e.term, new TextDecoder().decode(e.data)]),
        want.map((e) => [e.index, e.term, new TextDecoder().decode(e.data)]),
        `${step}: entries`,
      );
    }
  };
  for (let step = 0; step < 120; step++) {
    const op = rand(10);
    if (op < 7) {
      // Append 1-6 entries, often overwriting a suffix (as a follower does on a conflict).
      const from = Math.max(first, last + 1 - rand(5));
      if (from <= last) term++;
      const batch: Entry[] = [];
      for (let i = 0; i < 1 + rand(6); i++) batch.push(ent(term, from + i, `s${step}-${from + i}`));
      for (let i = from; i <= last; i++) model.delete(i);
      for (const e of batch) model.set(e.index, e);
      last = from + batch.length - 1;
      await s.save({ entries: batch, hardState: { term, vote: '', commit: first - 1 }, snapshot: undefined }, true);
    } else if (op < 9 && last - Math.max(first, snapIndex + 1) >= 3) {
      // An application snapshot somewhere in the log; keep two entries behind it.
      const lo = Math.max(first, snapIndex + 1);
      const index = lo + rand(last - lo);
      snapIndex = index;
      await s.saveSnapshot(index, { voters: ['a'], learners: [] }, enc.encode(`snap${step}`), index - 2);
      for (let i = first; i <= Math.max(first - 1, index - 2); i++) model.delete(i);
      first = Math.max(first, index - 1);
    } else {
      await s.close();
      s = await LevelStorage.open(dir);
    }
    check(s, `step ${step} (op ${op})`);
  }
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  check(r, 'final reopen');
});

test('a data directory in the one-entry-per-key format still loads, and truncates correctly', async (t) => {
  const dir = await tempDir(t);
  const db = new Level<string, string>(dir);
  const log = db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' });
  for (let i = 1; i <= 5; i++) {
    const v = new Uint8Array(9 + 2);
    new DataView(v.buffer).setUint32(4, 1);
    v.set(enc.encode(`o${i}`), 9);
    const key = new Uint8Array(8);
    new DataView(key.buffer).setUint32(4, i);
    await log.put(key, v);
  }
  await db.close();
  const s = await LevelStorage.open(dir);
  t.is(s.firstIndex(), 1);
  t.is(s.lastIndex(), 5);
  t.is(new TextDecoder().decode(s.entries(4, 5, 1e9)[0]!.data), 'o4');
  await s.save({ entries: [ent(2, 3, 'n3'), ent(2, 4, 'n4')], hardState: { term: 2, vote: '', commit: 2 }, snapshot: undefined }, true);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 4);
  t.deepEqual(
    r.entries(1, 5, 1e9).map((e) => `${e.term}:${new TextDecoder().decode(e.data)}`),
    ['1:o1', '1:o2', '2:n3', '2:n4'],
  );
});
