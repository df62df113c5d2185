/**
 * A server whose data dir holds a raft log kept in LevelDB (`raft/db`, as versions before the
 * write-ahead log wrote it) starts on it: the log is carried over to `raft/wal` once, every
 * acknowledged write is served, the LevelDB directory is gone, and the server keeps writing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { WalStorage } from 'raft-ts';
import { LevelStorage } from 'raft-ts/level';
import { ProcessCluster, getText } from './_process-cluster.js';

const WRITES = 120;

/** Rewrites the server's stopped WAL as the LevelDB log an earlier version kept, and removes the WAL. */
async function downgradeToLevel(raftDir: string): Promise<{ last: number; snapshotAt: number }> {
  const wal = await WalStorage.open(join(raftDir, 'wal'));
  const level = await LevelStorage.open(join(raftDir, 'db'));
  const snap = wal.snapshot();
  const hardState = wal.initialState().hardState;
  if (snap.meta.index > 0) await level.save({ entries: [], hardState, snapshot: snap }, true);
  const from = Math.max(wal.firstIndex(), snap.meta.index + 1);
  const entries = from <= wal.lastIndex() ? wal.entries(from, wal.lastIndex() + 1, Number.POSITIVE_INFINITY) : [];
  await level.save({ entries, hardState, snapshot: undefined }, true);
  const out = { last: level.lastIndex(), snapshotAt: level.snapshot().meta.index };
  await level.close();
  await wal.close();
  rmSync(join(raftDir, 'wal'), { recursive: true });
  return out;
}

test('a server restarts on a raft log an earlier version kept in LevelDB, carries it over to the WAL and serves every write', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1, { config: { raft_snapshot_threshold: 64, raft_snapshot_interval: '0s', raft_trailing_logs: 16 } });
  const s = server!;
  for (let i = 0; i < WRITES; i++) {
    const r = await getText(s.httpPort, `/v1/kv/old/k${i}`, { method: 'PUT', body: `v${i}` });
    t.is(r.text, 'true');
  }
  await c.kill(s, 'SIGTERM');
  const raftDir = join(s.dataDir, 'raft');
  const level = await downgradeToLevel(raftDir);
  t.true(level.last > WRITES, `the LevelDB log holds entries up to ${level.last}`);
  t.true(level.snapshotAt > 0, 'and a snapshot (taken at the clean stop)');
  t.false(existsSync(join(raftDir, 'wal')));

  await c.restart(s);
  await c.waitForLeader([s], 20_000);
  t.false(existsSync(join(raftDir, 'db')), 'the LevelDB directory is removed once carried over');
  t.true(existsSync(join(raftDir, 'wal')));
  const keys = JSON.parse((await getText(s.httpPort, '/v1/kv/old/?keys')).text) as string[];
  t.is(keys.length, WRITES);
  t.is((await getText(s.httpPort, '/v1/kv/old/k119?raw')).text, 'v119');
  t.is((await getText(s.httpPort, '/v1/kv/old/after', { method: 'PUT', body: 'new' })).text, 'true');

  // And once more, from the WAL alone.
  await c.kill(s);
  await c.restart(s);
  await c.waitForLeader([s], 20_000);
  t.is((await getText(s.httpPort, '/v1/kv/old/after?raw')).text, 'new');
  t.is((JSON.parse((await getText(s.httpPort, '/v1/kv/old/?keys')).text) as string[]).length, WRITES + 1);
});
