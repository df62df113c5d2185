import test from 'ava';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { type Entry, LogCorruptionError } from '../src/index.js';
import { LevelStorage, openWalMigratingLevel } from '../src/level.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ent = (term: number, index: number, s: string): Entry => ({ term, index, type: 'normal', data: enc.encode(s) });
const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-migrate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a log kept in LevelDB by an earlier version is carried over to the WAL once, snapshot, entries and hard state', async (t) => {
  const dir = await tempDir(t);
  const db = join(dir, 'db');
  const walDir = join(dir, 'wal');
  const old = await LevelStorage.open(db);
  for (let i = 1; i <= 30; i++) await old.save({ entries: [ent(i < 20 ? 1 : 2, i, `v${i}`)], hardState: { term: 2, vote: 'n3', commit: i - 1 }, snapshot: undefined }, true);
  await old.saveSnapshot(20, { voters: ['n1', 'n2', 'n3'], learners: [] }, enc.encode('state at 20'), 12);
  await old.close();

  const wal = await openWalMigratingLevel(walDir, db, { segmentBytes: 64 * 1024 });
  const check = (s: typeof wal): void => {
    t.deepEqual(s.initialState().hardState, { term: 2, vote: 'n3', commit: 29 });
    t.is(s.firstIndex(), 13);
    t.is(s.lastIndex(), 30);
    t.is(s.term(12), 1);
    t.is(s.term(25), 2);
    t.is(dec.decode(s.entries(30, 31, 1e9)[0]!.data), 'v30');
    t.is(s.snapshot().meta.index, 20);
    t.deepEqual(s.snapshot().meta.conf.voters, ['n1', 'n2', 'n3']);
    t.is(dec.decode(s.snapshot().data), 'state at 20');
  };
  check(wal);
  await wal.save({ entries: [ent(2, 31, 'v31')], hardState: { term: 2, vote: 'n3', commit: 31 }, snapshot: undefined }, true);
  await wal.close();
  t.false(await exists(db), 'the LevelDB directory is removed once the WAL holds its log');
  t.false(await exists(`${walDir}.migrating`));

  const again = await openWalMigratingLevel(walDir, db, { segmentBytes: 64 * 1024 });
  t.teardown(() => again.close());
  t.is(again.lastIndex(), 31);
  t.is(again.initialState().hardState.commit, 31);
  t.is(again.snapshot().meta.index, 20);
});

test('a damaged LevelDB log is refused as before, and no WAL is made from it', async (t) => {
  const dir = await tempDir(t);
  const db = join(dir, 'db');
  const old = await LevelStorage.open(db);
  await old.save({ entries: [ent(1, 1, 'a'), ent(1, 2, 'b')], hardState: { term: 1, vote: 'n1', commit: 2 }, snapshot: undefined }, true);
  await old.close();
  const raw = new Level<string, string>(db);
  const meta = raw.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
  await meta.put('hardState', { term: 1, vote: 'n1', commit: 9 });
  await raw.close();

  const err = await openWalMigratingLevel(join(dir, 'wal'), db).then(
    (s) => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  t.true(err instanceof LogCorruptionError, String(err));
  t.regex((err as LogCorruptionError).found, /commit index 9 lies beyond the last entry 2/);
  t.deepEqual((await readdir(dir)).sort(), ['db']);
});
