import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryNetwork, RaftNode } from '../src/index.js';
import { LevelStorage } from '../src/level.js';
import { writeUntilKilled } from './_kill-child.js';
import { KvMachine, waitFor } from './_kv-machine.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '_durability-child.js');

test('no acknowledged entry is lost when the process is killed with SIGKILL', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acked = new Map<number, string>();
  await writeUntilKilled(child, dir, 3000, (index, value) => acked.set(index, value));
  t.true(acked.size >= 3000);
  // The log on disk holds every acknowledged entry...
  const s = await LevelStorage.open(dir);
  const last = s.lastIndex();
  const dec = new TextDecoder();
  let mismatches = 0;
  for (const [index, value] of acked) {
    if (index > last || dec.decode(s.entries(index, index + 1, 1e9)[0]!.data) !== `k${value}=${value}`) mismatches++;
  }
  t.is(mismatches, 0, 'every acknowledged entry is in the log on disk');
  await s.close();
  // ...and a restarted node applies all of them.
  const sm = new KvMachine();
  const net = new MemoryNetwork();
  const node = await RaftNode.start({ id: 'solo', storage: await LevelStorage.open(dir), transport: net.transport('solo'), stateMachine: sm, tickMs: 10 });
  t.teardown(() => node.stop());
  const maxAcked = Math.max(...acked.keys());
  await waitFor(() => node.status().applied >= maxAcked, 10_000, 'the restarted node to apply every acknowledged entry');
  let missing = 0;
  for (const value of acked.values()) if (sm.map.get(`k${value}`) !== value) missing++;
  t.is(missing, 0, 'every acknowledged write is in the restarted state machine');
});
