import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelStorage } from '../src/level.js';
import { type Entry, LogCorruptionError } from '../src/index.js';

const enc = new TextEncoder();
const ent = (term: number, index: number, s: string): Entry => ({ term, index, type: 'normal', data: enc.encode(s) });

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-corrupt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function key(i: number): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setUint32(4, i);
  return k;
}

/** Ten entries in five runs of two, commit 10. */
async function writeLog(dir: string): Promise<void> {
  const s = await LevelStorage.open(dir);
  for (let i = 1; i <= 10; i += 2) {
    await s.save({ entries: [ent(1, i, `v${i}`), ent(1, i + 1, `v${i + 1}`)], hardState: { term: 1, vote: 'n1', commit: i + 1 }, snapshot: undefined }, true);
  }
  await s.close();
}

async function withRawDb(
  dir: string,
  fn: (log: ReturnType<Level<string, string>['sublevel']>, meta: ReturnType<Level<string, string>['sublevel']>) => Promise<void>,
): Promise<void> {
  const db = new Level<string, string>(dir);
  const log = db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' });
  const meta = db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
  await fn(log as never, meta as never);
  await db.close();
}

async function refused(t: { true(v: boolean, m?: string): void; is(a: unknown, b: unknown): void }, dir: string, found: RegExp): Promise<void> {
  const err = await LevelStorage.open(dir).then(
    (s) => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  t.true(err instanceof LogCorruptionError, `expected LogCorruptionError, got ${String(err)}`);
  const e = err as LogCorruptionError;
  t.is(e.code, 'RAFT_LOG_CORRUPT');
  t.is(e.path, dir);
  t.true(found.test(e.found), e.found);
}

test('a record whose bytes changed fails its checksum and the log refuses to open', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  await withRawDb(dir, async (log) => {
    const v = (await (log as unknown as Level<Uint8Array, Uint8Array>).get(key(5)))!;
    const bad = Uint8Array.from(v);
    bad[bad.length - 1] ^= 0x01; // one bit of the value of entry 6
    await (log as unknown as Level<Uint8Array, Uint8Array>).put(key(5), bad);
  });
  await refused(t, dir, /record at index 5 fails its checksum/);
});

test('a record missing from the middle of the log is a gap, not a shorter log', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  await withRawDb(dir, async (log) => (log as unknown as Level<Uint8Array, Uint8Array>).del(key(5)));
  await refused(t, dir, /entries 5 to 6 are missing/);
});

test('a stored commit index beyond the last entry means committed entries were lost', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  await withRawDb(dir, async (log) => (log as unknown as Level<Uint8Array, Uint8Array>).del(key(9)));
  await refused(t, dir, /commit index 10 lies beyond the last entry 8/);
});

test('a hard state record whose fields changed fails its checksum', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  await withRawDb(dir, async (_log, meta) => {
    const hs = (await (meta as unknown as Level<string, Record<string, unknown>>).get('hardState'))!;
    await (meta as unknown as Level<string, unknown>).put('hardState', { ...hs, term: 7 });
  });
  await refused(t, dir, /hard state record fails its checksum/);
});

test("a damaged record in LevelDB's write-ahead log, which LevelDB skips silently, refuses the open", async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  const wal = (await readdir(dir))
    .filter((f) => f.endsWith('.log'))
    .sort()
    .at(-1)!;
  const bytes = await readFile(join(dir, wal));
  t.true(bytes.length > 100);
  bytes[bytes.length - 20] ^= 0xff; // inside the last record (the last write: entries 9 and 10)
  await writeFile(join(dir, wal), bytes);
  await refused(t, dir, /LevelDB dropped part of its write-ahead log/);
  // LevelDB has rewritten its log by now and would open cleanly: the refusal must stick.
  await refused(t, dir, /LevelDB dropped part of its write-ahead log/);
});

test('a log written before checksums (runs with marker 0x01) still opens and reads back', async (t) => {
  const dir = await tempDir(t);
  await withRawDb(dir, async (log, meta) => {
    for (const first of [1, 3]) {
      const v = new Uint8Array(5 + 2 * (13 + 2));
      const dv = new DataView(v.buffer);
      v[0] = 0x01;
      dv.setUint32(1, 2);
      let o = 5;
      for (let i = first; i < first + 2; i++) {
        dv.setUint32(o + 4, 1);
        dv.setUint32(o + 9, 2);
        v.set(enc.encode(`o${i}`), o + 13);
        o += 15;
      }
      await (log as unknown as Level<Uint8Array, Uint8Array>).put(key(first), v);
    }
    await (meta as unknown as Level<string, unknown>).put('hardState', { term: 1, vote: 'n1', commit: 4 });
  });
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  t.is(s.lastIndex(), 4);
  t.deepEqual(s.initialState().hardState, { term: 1, vote: 'n1', commit: 4 });
  t.deepEqual(
    s.entries(1, 5, 1e9).map((e) => new TextDecoder().decode(e.data)),
    ['o1', 'o2', 'o3', 'o4'],
  );
});
