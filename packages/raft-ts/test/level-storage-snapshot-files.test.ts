/**
 * LevelStorage keeps the current snapshot in a file of its own, staged beside the log and named
 * by one synced record: what a crash leaves behind is removed at the next open, a damaged or
 * missing file refuses the open, and data dirs whose snapshot is in the `snap` sublevel still open.
 */
import test from 'ava';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelStorage } from '../src/level.js';
import { type Entry, LogCorruptionError } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ent = (term: number, index: number, s: string): Entry => ({ term, index, type: 'normal', data: enc.encode(s) });
const conf = { voters: ['a'], learners: [] };

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-snapfiles-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield enc.encode(p);
}

/** Entries 1..n in term 1, committed. */
async function withLog(dir: string, n: number): Promise<LevelStorage> {
  const s = await LevelStorage.open(dir);
  const ents: Entry[] = [];
  for (let i = 1; i <= n; i++) ents.push(ent(1, i, `v${i}`));
  await s.save({ entries: ents, hardState: { term: 1, vote: 'a', commit: n }, snapshot: undefined }, true);
  return s;
}

const snapshotFiles = (dir: string): Promise<string[]> => readdir(join(dir, 'snapshots')).catch(() => []);

test('a staged snapshot replaces nothing until committed; one never committed (a crash) is removed at the next open', async (t) => {
  const dir = await tempDir(t);
  const s = await withLog(dir, 30);
  await s.saveSnapshot(10, conf, enc.encode('at-10'), 5);
  const staged = await s.stageSnapshot({ index: 25, term: 1, conf }, pieces('at-', '25'));
  t.is(staged.bytes, 5);
  t.is(s.snapshot().meta.index, 10);
  t.is(s.firstIndex(), 6);
  t.is((await snapshotFiles(dir)).length, 2);
  await s.close();

  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is(r.snapshot().meta.index, 10);
  t.is(dec.decode(r.snapshot().data), 'at-10');
  t.is(r.firstIndex(), 6);
  t.is(r.lastIndex(), 30);
  t.is((await snapshotFiles(dir)).length, 1, 'the uncommitted file is gone');
});

/**
 * On a log of 30 entries with a snapshot at 10 stored, runs `store`: afterwards the snapshot dir
 * holds one file, not the one before. Returns the storage reopened.
 */
async function storedInANewFile(
  t: { is(a: unknown, b: unknown): void; notDeepEqual(a: unknown, b: unknown): void; teardown(fn: () => Promise<void>): void },
  dir: string,
  store: (s: LevelStorage) => Promise<void>,
): Promise<LevelStorage> {
  const s = await withLog(dir, 30);
  await s.saveSnapshot(10, conf, enc.encode('at-10'), 5);
  const before = await snapshotFiles(dir);
  await store(s);
  const after = await snapshotFiles(dir);
  t.is(after.length, 1);
  t.notDeepEqual(after, before);
  await s.close();
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  return r;
}

test('committing a staged snapshot makes it current, compacts the log and removes the replaced file', async (t) => {
  const r = await storedInANewFile(t, await tempDir(t), async (s) => {
    const staged = await s.stageSnapshot({ index: 25, term: 1, conf }, pieces('at-', '25'));
    const snap = await s.commitSnapshot(staged, 20);
    t.is(snap?.meta.index, 25);
    t.is(s.firstIndex(), 21);
  });
  t.is(dec.decode(r.snapshot().data), 'at-25');
  t.is(r.firstIndex(), 21);
});

test('a staged snapshot that a received one overtook is not committed, and its file is removed', async (t) => {
  const dir = await tempDir(t);
  const s = await withLog(dir, 30);
  t.teardown(() => s.close());
  const staged = await s.stageSnapshot({ index: 20, term: 1, conf }, pieces('mine'));
  await s.save({ entries: [], hardState: { term: 2, vote: '', commit: 40 }, snapshot: { meta: { index: 40, term: 2, conf }, data: enc.encode('leader') } }, true);
  t.is(await s.commitSnapshot(staged, 15), undefined);
  t.is(s.snapshot().meta.index, 40);
  t.is(dec.decode(s.snapshot().data), 'leader');
  t.is((await snapshotFiles(dir)).length, 1);
});

test('pieces that fail leave no file and the previous snapshot in place', async (t) => {
  const dir = await tempDir(t);
  const s = await withLog(dir, 30);
  t.teardown(() => s.close());
  await s.saveSnapshot(10, conf, enc.encode('at-10'), 5);
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield enc.encode('half');
    throw new Error('encoder failed');
  }
  await t.throwsAsync(s.stageSnapshot({ index: 25, term: 1, conf }, failing()), { message: 'encoder failed' });
  t.is((await snapshotFiles(dir)).length, 1);
  t.is(dec.decode(s.snapshot().data), 'at-10');
});

test('a missing or truncated snapshot file refuses the open', async (t) => {
  for (const damage of ['missing', 'truncated'] as const) {
    const dir = await tempDir(t);
    const s = await withLog(dir, 30);
    await s.saveSnapshot(10, conf, enc.encode('snapshot data'), 5);
    await s.close();
    const [file] = await snapshotFiles(dir);
    if (damage === 'missing') await rm(join(dir, 'snapshots', file!));
    else await truncate(join(dir, 'snapshots', file!), 4);
    const err = await LevelStorage.open(dir).then(
      (r) => r.close().then(() => undefined),
      (e: unknown) => e,
    );
    t.true(err instanceof LogCorruptionError, `${damage}: ${String(err)}`);
    t.regex((err as LogCorruptionError).found, damage === 'missing' ? /is missing/ : /holds 4 bytes, not 13/);
  }
});

test('a snapshot stored in the snap sublevel by earlier versions opens, and the next snapshot moves to a file and deletes its chunks', async (t) => {
  const dir = await tempDir(t);
  const s = await withLog(dir, 30);
  await s.close();
  // the layout earlier versions wrote: chunks under data-NNNNNNNN, a record with their count
  const db = new Level<string, string>(dir);
  const meta = db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
  const snap = db.sublevel<string, Uint8Array>('snap', { valueEncoding: 'view' });
  await snap.put('data-00000000', enc.encode('old-'));
  await snap.put('data-00000001', enc.encode('format'));
  await meta.put('snapshot', { index: 10, term: 1, conf, chunks: 2 });
  await meta.put('compact', { index: 5, term: 1 });
  await db.close();

  const r = await LevelStorage.open(dir);
  t.is(dec.decode(r.snapshot().data), 'old-format');
  t.is(r.firstIndex(), 6);
  await r.saveSnapshot(20, conf, enc.encode('new'), 15);
  await r.close();

  const db2 = new Level<string, string>(dir);
  const left: string[] = [];
  for await (const k of db2.sublevel('snap').keys()) left.push(k);
  await db2.close();
  t.deepEqual(left, [], 'the old chunks are deleted with the first new snapshot');
  const again = await LevelStorage.open(dir);
  t.teardown(() => again.close());
  t.is(dec.decode(again.snapshot().data), 'new');
  t.is((await snapshotFiles(dir)).length, 1);
});

test('a snapshot received from the leader goes to a file of its own and replaces the previous one', async (t) => {
  const r = await storedInANewFile(t, await tempDir(t), (s) =>
    s.save({ entries: [], hardState: { term: 2, vote: '', commit: 40 }, snapshot: { meta: { index: 40, term: 2, conf }, data: enc.encode('from the leader') } }, true),
  );
  t.is(dec.decode(r.snapshot().data), 'from the leader');
  t.is(r.snapshot().meta.index, 40);
  t.is(r.lastIndex(), 40);
});

test('a leftover file that no record names is removed at open', async (t) => {
  const dir = await tempDir(t);
  const s = await withLog(dir, 30);
  await s.saveSnapshot(10, conf, enc.encode('at-10'), 5);
  await s.close();
  await writeFile(join(dir, 'snapshots', '0000000000000019-1-1abcd.snap'), 'partial');
  const r = await LevelStorage.open(dir);
  t.teardown(() => r.close());
  t.is((await snapshotFiles(dir)).length, 1);
  t.is(dec.decode(r.snapshot().data), 'at-10');
});
