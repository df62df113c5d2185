import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entry, LogCorruptionError, MemoryNetwork, RaftNode, WalStorage } from '../src/index.js';
import { KvMachine, waitFor } from './_kv-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ent = (term: number, index: number, s: string): Entry => ({ term, index, type: 'normal', data: enc.encode(s) });
const SEG = 64 * 1024;

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-wal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.wal')).sort();
}

/** Offset one past the last non-zero byte of a segment: the end of what was written. */
function written(b: Uint8Array): number {
  let i = b.byteLength - 1;
  while (i >= 0 && b[i] === 0) i--;
  return i + 1;
}

async function refused(t: import('ava').ExecutionContext, dir: string, found: RegExp): Promise<void> {
  const err = await WalStorage.open(dir, { segmentBytes: SEG }).then(
    (s) => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  t.true(err instanceof LogCorruptionError, `expected LogCorruptionError, got ${String(err)}`);
  t.is((err as LogCorruptionError).path, dir);
  t.regex((err as LogCorruptionError).found, found);
}

/** 40 entries of 100 bytes, one save each, commit following. */
async function writeLog(dir: string, n = 40): Promise<void> {
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  for (let i = 1; i <= n; i++) await s.save({ entries: [ent(1, i, `v${i}`.padEnd(100, '.'))], hardState: { term: 1, vote: 'n1', commit: i }, snapshot: undefined }, true);
  await s.close();
}

test('entries, truncations and the hard state survive reopening the log', async (t) => {
  const dir = await tempDir(t);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  await s.save({ entries: [ent(1, 1, 'a'), ent(1, 2, 'b'), ent(1, 3, 'c'), ent(1, 4, 'd')], hardState: { term: 1, vote: 'n1', commit: 1 }, snapshot: undefined }, true);
  await s.save({ entries: [ent(2, 3, 'x')], hardState: { term: 2, vote: 'n2', commit: 2 }, snapshot: undefined }, true);
  t.is(s.lastIndex(), 3);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.deepEqual(r.initialState().hardState, { term: 2, vote: 'n2', commit: 2 });
  t.is(r.firstIndex(), 1);
  t.is(r.lastIndex(), 3);
  t.deepEqual(
    r.entries(1, 4, 1e9).map((e) => [e.term, dec.decode(e.data)]),
    [
      [1, 'a'],
      [1, 'b'],
      [2, 'x'],
    ],
  );
});

test('with inlineSyncBytes, small synced writes are made on the loop thread and large ones in the pool, in order', async (t) => {
  const dir = await tempDir(t);
  const s = await WalStorage.open(dir, { segmentBytes: SEG, inlineSyncBytes: 1024 });
  const writes: Promise<void>[] = [];
  for (let i = 1; i <= 30; i++) {
    const data = i % 3 === 0 ? 'L'.repeat(3000) : `s${i}`;
    writes.push(s.save({ entries: [ent(1, i, data)], hardState: { term: 1, vote: 'n1', commit: i - 1 }, snapshot: undefined }, true));
  }
  await Promise.all(writes);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 30);
  t.is(r.initialState().hardState.commit, 29);
  t.deepEqual(
    r.entries(1, 31, 1e9).map((e) => dec.decode(e.data).slice(0, 3)),
    Array.from({ length: 30 }, (_, k) => ((k + 1) % 3 === 0 ? 'LLL' : `s${k + 1}`.slice(0, 3))),
  );
});

test('segments are preallocated 0600 files in a 0700 directory', async (t) => {
  const dir = join(await tempDir(t), 'wal');
  await writeLog(dir, 3);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  const segs = await segments(dir);
  t.is(segs.length, 1);
  const st = await stat(join(dir, segs[0]!));
  t.is(st.mode & 0o777, 0o600);
  t.is(st.size, SEG, 'the segment is as large as it was preallocated, though it holds three records');
});

test('the log rolls over to new segments, and a snapshot removes the segments it compacted', async (t) => {
  const dir = await tempDir(t);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  const big = 'x'.repeat(4000);
  for (let i = 1; i <= 100; i++) await s.save({ entries: [ent(1, i, `${i}:${big}`)], hardState: { term: 1, vote: 'n1', commit: i }, snapshot: undefined }, true);
  const before = (await segments(dir)).length;
  t.true(before >= 6, `${before} segments for 400 KB of entries in 64 KiB segments`);
  await s.saveSnapshot(90, { voters: ['n1'], learners: [] }, enc.encode('state at 90'), 80);
  const after = await segments(dir);
  t.true(after.length <= 2, `segments left after compacting to 80: ${after.join(', ')}`);
  t.is((await readdir(join(dir, 'snapshots'))).length, 1);
  await s.save({ entries: [ent(1, 101, 'after')], hardState: { term: 1, vote: 'n1', commit: 101 }, snapshot: undefined }, true);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.is(r.firstIndex(), 81);
  t.is(r.lastIndex(), 101);
  t.is(r.snapshot().meta.index, 90);
  t.is(dec.decode(r.snapshot().data), 'state at 90');
  t.true(dec.decode(r.entries(85, 86, 1e9)[0]!.data).startsWith('85:'));
  t.is(r.initialState().hardState.commit, 101);
});

test('a snapshot received from the leader replaces the whole log, across a reopen', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 5);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  const snap = { meta: { index: 50, term: 3, conf: { voters: ['n1', 'n2'], learners: [] } }, data: enc.encode('leader state') };
  await s.save({ entries: [], hardState: { term: 3, vote: '', commit: 50 }, snapshot: snap }, true);
  await s.save({ entries: [ent(3, 51, 'next')], hardState: undefined, snapshot: undefined }, true);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.is(r.firstIndex(), 51);
  t.is(r.lastIndex(), 51);
  t.is(r.term(50), 3);
  t.deepEqual(r.snapshot().meta.conf.voters, ['n1', 'n2']);
  t.is(dec.decode(r.snapshot().data), 'leader state');
});

test('a torn last record (a crash mid-write left sectors unwritten) is cleared, and the log goes on after it', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 10);
  const s0 = await WalStorage.open(dir, { segmentBytes: SEG });
  await s0.save({ entries: [ent(1, 11, 'y'.repeat(3000))], hardState: undefined, snapshot: undefined }, true);
  await s0.close();
  const [seg] = await segments(dir);
  const path = join(dir, seg!);
  const b = await readFile(path);
  const end = written(b);
  // The last record spans several sectors: zero its last 1,024 bytes, as a write cut short leaves it.
  b.fill(0, end - 1024, end);
  await writeFile(path, b);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  t.is(s.lastIndex(), 10, 'the torn entry is gone, every earlier one is there');
  await s.save({ entries: [ent(1, 11, 'z')], hardState: { term: 1, vote: 'n1', commit: 11 }, snapshot: undefined }, true);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 11);
  t.is(dec.decode(r.entries(11, 12, 1e9)[0]!.data), 'z');
});

test('a segment left empty by a crash right after a rollover gets the state it starts with before anything else', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 5);
  await writeFile(join(dir, '0000000000000001.wal'), Buffer.alloc(SEG), { mode: 0o600 });
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  t.is(s.lastIndex(), 5);
  await s.save({ entries: [ent(1, 6, 'six')], hardState: undefined, snapshot: undefined }, true);
  await s.saveSnapshot(6, { voters: ['n1'], learners: [] }, enc.encode('state at 6'), 6);
  t.deepEqual(await segments(dir), ['0000000000000001.wal'], 'the first segment, wholly compacted, is removed');
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.deepEqual(r.initialState().hardState, { term: 1, vote: 'n1', commit: 5 }, 'the hard state written only in the removed segment is kept');
  t.is(r.firstIndex(), 7);
  t.is(r.term(6), 1);
  t.is(r.snapshot().meta.index, 6);
});

test('garbage after the last record with no valid record in it is cleared', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 10);
  const [seg] = await segments(dir);
  const path = join(dir, seg!);
  const b = await readFile(path);
  const end = written(b);
  const at = (end + 7) & ~7;
  b.fill(0, at, at + 8); // a zero header, then bytes of a write whose first sector never landed
  for (let i = at + 512; i < at + 900; i++) b[i] = (i * 31) & 0xff;
  await writeFile(path, b);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  t.is(s.lastIndex(), 10);
  await s.save({ entries: [ent(1, 11, 'after')], hardState: undefined, snapshot: undefined }, true);
  await s.close();
  const r = await WalStorage.open(dir, { segmentBytes: SEG });
  t.teardown(() => r.close());
  t.is(r.lastIndex(), 11);
});

test('a byte changed in the middle of the log refuses the open, every time', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  const [seg] = await segments(dir);
  const path = join(dir, seg!);
  const b = await readFile(path);
  const mid = Math.floor(written(b) / 2);
  b[mid] = b[mid]! ^ 0xff;
  await writeFile(path, b);
  await refused(t, dir, /fails its checksum, and a valid record follows|claims \d+ bytes/);
  await refused(t, dir, /fails its checksum, and a valid record follows|claims \d+ bytes/);
});

test('a byte changed in the last, complete record is damage, not a torn write: the open is refused', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir);
  const [seg] = await segments(dir);
  const path = join(dir, seg!);
  const b = await readFile(path);
  const at = written(b) - 40;
  b[at] = b[at]! ^ 0xff;
  await writeFile(path, b);
  await refused(t, dir, /fails its checksum/);
});

test('a length past the end of the segment is refused before anything is read for it', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 3);
  const [seg] = await segments(dir);
  const path = join(dir, seg!);
  const b = await readFile(path);
  b.writeUInt32BE(0x7fff_fff0, 0);
  await writeFile(path, b);
  await refused(t, dir, /claims \d+ bytes, past the end of the segment/);
});

test('a segment missing between others, or damage in an earlier segment, refuses the open', async (t) => {
  const dir = await tempDir(t);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  for (let i = 1; i <= 60; i++) await s.save({ entries: [ent(1, i, 'e'.repeat(4000))], hardState: { term: 1, vote: 'n1', commit: i }, snapshot: undefined }, true);
  await s.close();
  const segs = await segments(dir);
  t.true(segs.length >= 3);
  const first = join(dir, segs[0]!);
  const saved = await readFile(first);
  const b = Buffer.from(saved);
  b[written(b) - 8] ^= 0x55;
  await writeFile(first, b);
  await refused(t, dir, /fails its checksum|unreadable bytes/);
  await writeFile(first, saved);
  await rm(join(dir, segs[1]!));
  await refused(t, dir, /segment .* is missing/);
});

test('a damaged snapshot file refuses the open', async (t) => {
  const dir = await tempDir(t);
  await writeLog(dir, 10);
  const s = await WalStorage.open(dir, { segmentBytes: SEG });
  await s.saveSnapshot(8, { voters: ['n1'], learners: [] }, enc.encode('state at 8'), 5);
  await s.close();
  const [file] = await readdir(join(dir, 'snapshots'));
  const p = join(dir, 'snapshots', file!);
  const b = await readFile(p);
  b[0] ^= 1;
  await writeFile(p, b);
  await refused(t, dir, /snapshot at index 8 fails its checksum/);
});

test('a node restarts from its log on WalStorage and applies every committed entry', async (t) => {
  const dir = await tempDir(t);
  const net = new MemoryNetwork();
  const node = await RaftNode.start({
    id: 'solo',
    storage: await WalStorage.open(dir, { segmentBytes: SEG }),
    transport: net.transport('solo'),
    stateMachine: new KvMachine(),
    bootstrap: ['solo'],
    tickMs: 10,
    snapshotThreshold: 50,
    trailingLogs: 10,
  });
  await waitFor(() => node.isLeader(), 10_000, 'leadership');
  for (let i = 0; i < 200; i++) await node.propose(enc.encode(`k${i}=${'v'.repeat(500)}${i}`));
  await node.stop();
  const sm = new KvMachine();
  const again = await RaftNode.start({
    id: 'solo',
    storage: await WalStorage.open(dir, { segmentBytes: SEG }),
    transport: new MemoryNetwork().transport('solo'),
    stateMachine: sm,
    tickMs: 10,
  });
  t.teardown(() => again.stop());
  await waitFor(() => sm.map.size === 200, 10_000, 'the restarted node to apply all 200 writes');
  t.is(sm.map.get('k199'), `${'v'.repeat(500)}199`);
});
