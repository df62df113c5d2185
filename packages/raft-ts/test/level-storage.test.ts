import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
