import test from 'ava';
import { bootstrapEntries, MemoryNetwork, MemoryStorage, RaftNode } from '../src/index.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

// The driver does not write a hard state whose only change is the commit index, so a snapshot
// taken after commit-only Readys can sit above the commit index on disk. A crash then leaves the
// disk as built here; the node must restart from it (it used to stop with "applied 4 out of range
// [prev 0, committed 2]"). The whole-cluster simulator, which runs RaftNode, found it.
test('a node restarts from a snapshot above its stored commit index, and the snapshot counts as committed', async (t) => {
  const storage = new MemoryStorage();
  const boot = bootstrapEntries(['a']);
  storage.append(boot.entries);
  const writes = ['x=1', 'y=2', 'z=3'].map((s, i) => ({ index: i + 2, term: 1, type: 'normal' as const, data: cmd(s) }));
  storage.append(writes);
  storage.setHardState({ term: 1, vote: 'a', commit: 2 });
  const before = new KvMachine();
  for (const e of writes) before.apply(e);
  storage.createSnapshot(4, { voters: ['a'], learners: [] }, before.snapshot());

  const sm = new KvMachine();
  const node = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: sm, tickMs: 10 });
  t.teardown(() => node.stop());
  t.is(node.status().commit, 4);
  t.is(node.status().applied, 4);
  t.is(sm.map.get('z'), '3');
  node.campaign();
  await waitFor(() => node.isLeaderReady(), 5000, 'the single voter to lead');
  const r = await node.propose(cmd('w=4'));
  t.true(r.index > 4);
  t.is(sm.map.get('w'), '4');
});
