import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryNetwork, RaftNode, WalStorage } from '../src/index.js';
import { writeUntilKilled } from './_kill-child.js';
import { KvMachine, waitFor } from './_kv-machine.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '_wal-durability-child.js');

test('WalStorage loses no acknowledged write when the writing process is killed with SIGKILL, again and again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-wal-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acked = new Map<number, string>();
  // Each round restarts on the log the previous kill left (mid-write, mid-rollover or mid-snapshot).
  for (const acks of [2500, 1500, 1500]) await writeUntilKilled(child, dir, acks, (_index, value) => acked.set(Number(value), value));
  t.true(acked.size >= 2500, `${acked.size} writes acknowledged`);
  t.true((await readdir(dir)).filter((f) => f.endsWith('.wal')).length >= 1);
  const sm = new KvMachine();
  const node = await RaftNode.start({
    id: 'solo',
    storage: await WalStorage.open(dir, { segmentBytes: 64 * 1024 }),
    transport: new MemoryNetwork().transport('solo'),
    stateMachine: sm,
    tickMs: 10,
  });
  t.teardown(() => node.stop());
  await waitFor(() => node.isLeader(), 10_000, 'the restarted node to lead');
  await node.propose(new TextEncoder().encode('marker=1'));
  let missing = 0;
  for (const value of acked.values()) if (sm.map.get(`k${value}`) !== value) missing++;
  t.is(missing, 0, 'every acknowledged write is in the restarted state machine');
});
