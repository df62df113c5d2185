import test from 'ava';
import { MemoryNetwork, MemoryStorage, RaftNode, type LeaderChange } from '../src/index.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

interface Member {
  node: RaftNode<number>;
  sm: KvMachine;
}

async function cluster(t: { teardown(fn: () => Promise<void>): void }, ids: string[], net = new MemoryNetwork()): Promise<Map<string, Member>> {
  const out = new Map<string, Member>();
  for (const id of ids) {
    const sm = new KvMachine();
    const node = await RaftNode.start({
      id,
      storage: new MemoryStorage(),
      transport: net.transport(id),
      stateMachine: sm,
      bootstrap: ids,
      tickMs: 10,
      snapshotThreshold: 50,
      trailingLogs: 5,
    });
    out.set(id, { node, sm });
    t.teardown(() => node.stop());
  }
  return out;
}

async function leaderOf(c: Map<string, Member>): Promise<Member> {
  let leader: Member | undefined;
  await waitFor(() => (leader = [...c.values()].find((m) => m.node.isLeader())) !== undefined, 5000, 'a leader');
  return leader!;
}

test('a proposal resolves with its index and the state machine result on the leader', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  const r1 = await leader.node.propose(cmd('x=1'));
  const r2 = await leader.node.propose(cmd('y=2'));
  t.is(r2.index, r1.index + 1);
  t.is(r1.result, 1);
  t.is(r2.result, 2);
  await waitFor(() => [...c.values()].every((m) => m.sm.map.get('y') === '2'), 2000, 'replication');
});

test("an empty proposal is refused (empty entries are raft's own), and the next one applies with its typed result", async (t) => {
  const c = await cluster(t, ['a']);
  const leader = await leaderOf(c);
  const err = await t.throwsAsync(leader.node.propose(new Uint8Array(0)));
  t.is((err as { code?: string }).code, 'RAFT_PROPOSAL_DROPPED');
  const r: { index: number; result: number } = await leader.node.propose(cmd('x=1'));
  t.is(r.result, 1);
});

test('proposals on a follower are rejected with a leader hint', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  const follower = [...c.values()].find((m) => m !== leader)!;
  await waitFor(() => follower.node.leader === leader.node.id, 2000, 'follower to know the leader');
  const err = await t.throwsAsync(follower.node.propose(cmd('x=1')));
  t.is((err as { code?: string }).code, 'RAFT_NOT_LEADER');
  t.is((err as { leaderHint?: string }).leaderHint, leader.node.id);
});

test('concurrent proposals are batched and all applied in order', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  const results = await Promise.all(Array.from({ length: 300 }, (_, i) => leader.node.propose(cmd(`k${i}=${i}`))));
  const indexes = results.map((r) => r.index);
  t.deepEqual(
    indexes,
    [...indexes].sort((a, b) => a - b),
  );
  t.is(new Set(indexes).size, 300);
  t.true(leader.node.metrics.readies < 300, `readies ${leader.node.metrics.readies}`);
});

test('readIndex on a follower returns a point that includes every acknowledged write', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  const { index } = await leader.node.propose(cmd('r=fresh'));
  const follower = [...c.values()].find((m) => m !== leader)!;
  await waitFor(() => follower.node.leader !== '', 2000, 'follower to know the leader');
  const ri = await follower.node.readIndex();
  t.true(ri >= index);
  t.is(follower.sm.map.get('r'), 'fresh');
});

test('leadership transfer hands over to the chosen voter and emits leaderChange', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  await leader.node.propose(cmd('t=1'));
  const target = [...c.keys()].find((id) => id !== leader.node.id)!;
  const events: LeaderChange[] = [];
  c.get(target)!.node.on('leaderChange', (e) => events.push(e));
  await leader.node.transferLeadership(target);
  t.true(c.get(target)!.node.isLeader());
  t.true(events.some((e) => e.leader === target && e.role === 'leader'));
});

test('a learner is added, caught up by snapshot, promoted, and a voter is removed', async (t) => {
  const net = new MemoryNetwork();
  const c = await cluster(t, ['a', 'b', 'c'], net);
  const leader = await leaderOf(c);
  for (let i = 0; i < 120; i++) await leader.node.propose(cmd(`p${i}=${i}`));
  const sm = new KvMachine();
  const d = await RaftNode.start({ id: 'd', storage: new MemoryStorage(), transport: net.transport('d'), stateMachine: sm, tickMs: 10 });
  t.teardown(() => d.stop());
  await leader.node.addLearner('d');
  await waitFor(() => sm.map.get('p119') === '119', 5000, 'learner catch-up');
  t.true(d.metrics.snapshotsInstalled > 0, 'caught up through a snapshot');
  await leader.node.addVoter('d');
  t.deepEqual(leader.node.status().conf.voters, ['a', 'b', 'c', 'd']);
  const victim = [...c.keys()].find((id) => id !== leader.node.id)!;
  await leader.node.removeServer(victim);
  t.false(leader.node.status().conf.voters.includes(victim));
  const r = await leader.node.propose(cmd('after=1'));
  t.true(r.index > 0);
});

test('a second configuration change is refused while one is pending', async (t) => {
  const c = await cluster(t, ['a', 'b', 'c']);
  const leader = await leaderOf(c);
  await leader.node.propose(cmd('x=1'));
  const first = leader.node.addLearner('e');
  const err = await t.throwsAsync(leader.node.addLearner('f'));
  t.is((err as { code?: string }).code, 'RAFT_CONF_CHANGE_REJECTED');
  await first;
});

test('a sequential writer: the commit index rides on the next append, and a lone write still reaches followers at once', async (t) => {
  const ids = ['a', 'b', 'c'];
  const net = new MemoryNetwork();
  const appendsTo = new Map<string, number>(ids.map((id) => [id, 0]));
  const nodes = new Map<string, RaftNode<number>>();
  for (const id of ids) {
    const inner = net.transport(id);
    const node = await RaftNode.start({
      id,
      storage: new MemoryStorage(),
      transport: {
        start: (h) => inner.start({ ...h, onMessage: (m) => (m.type === 'app' && appendsTo.set(id, appendsTo.get(id)! + 1), h.onMessage(m)) }),
        send: (m) => inner.send(m),
        close: () => inner.close(),
      },
      stateMachine: new KvMachine(),
      bootstrap: ids,
      // Ticks far apart: heartbeats cannot be what tells followers the commit index here.
      tickMs: 2000,
    });
    nodes.set(id, node);
    t.teardown(() => node.stop());
  }
  const leader = nodes.get('a')!;
  // The bootstrap configuration must be applied before a campaign counts; campaign until it leads.
  await waitFor(() => (leader.isLeader() ? true : (leader.campaign(), false)), 3000, 'a to lead');
  await leader.propose(cmd('warm=1'));
  await waitFor(() => ids.every((id) => nodes.get(id)!.status().commit === leader.status().commit), 500, 'followers to learn the commit');
  const before = appendsTo.get('b')! + appendsTo.get('c')!;
  const writes = 100;
  let last = 0;
  for (let i = 0; i < writes; i++) last = (await leader.propose(cmd(`k${i}=${i}`))).index;
  const appends = appendsTo.get('b')! + appendsTo.get('c')! - before;
  // One append per follower per write, plus a few that carried only a commit index (without the
  // merging it is two per write: the entries, then the commit).
  t.true(appends <= 2 * writes * 1.2, `${appends} appends for ${writes} writes to 2 followers`);
  t.true(leader.metrics.commitOnlyAppendsMerged >= writes, `merged ${leader.metrics.commitOnlyAppendsMerged}`);
  // The last write's commit index is not waiting for a heartbeat (2 s away): the held append goes out.
  const t0 = Date.now();
  await waitFor(() => ['b', 'c'].every((id) => nodes.get(id)!.status().commit >= last), 500, 'followers to learn the last commit');
  t.true(Date.now() - t0 < 500);
});

test('a Ready that only moves the commit index writes nothing; the commit index goes with the next entries', async (t) => {
  const ids = ['a', 'b', 'c'];
  const net = new MemoryNetwork();
  const saves = new Map<string, { entries: number; commitOnly: number }>();
  const storages = new Map<string, MemoryStorage>();
  const nodes = new Map<string, RaftNode<number>>();
  for (const id of ids) {
    const storage = new MemoryStorage();
    const counts = { entries: 0, commitOnly: 0 };
    const save = storage.save.bind(storage);
    storage.save = (batch, sync) => {
      if (batch.entries.length > 0) counts.entries++;
      else if (!batch.snapshot) counts.commitOnly++;
      return save(batch, sync);
    };
    saves.set(id, counts);
    storages.set(id, storage);
    const node = await RaftNode.start({ id, storage, transport: net.transport(id), stateMachine: new KvMachine(), bootstrap: ids, tickMs: 2000 });
    nodes.set(id, node);
    t.teardown(() => node.stop());
  }
  const leader = nodes.get('a')!;
  await waitFor(() => (leader.isLeader() ? true : (leader.campaign(), false)), 3000, 'a to lead');
  await leader.propose(cmd('warm=1'));
  const before = { ...saves.get('a')! };
  let last = 0;
  for (let i = 0; i < 50; i++) last = (await leader.propose(cmd(`k${i}=${i}`))).index;
  const after = saves.get('a')!;
  t.is(after.commitOnly - before.commitOnly, 0, 'writes that only carried a commit index');
  t.is(after.entries - before.entries, 50);
  // What is stored trails by at most the last commit: the write of entry k carries commit k-1.
  const stored = storages.get('a')!.initialState().hardState.commit;
  t.true(stored >= last - 1 && stored <= last, `stored commit ${stored}, last ${last}`);
});

test('a restarted leader is ready only once an entry of its term is applied, and then holds every acknowledged write', async (t) => {
  const storage = new MemoryStorage();
  const net = new MemoryNetwork();
  const first = await RaftNode.start({ id: 'a', storage, transport: net.transport('a'), stateMachine: new KvMachine(), bootstrap: ['a'], tickMs: 2000 });
  await waitFor(() => (first.isLeaderReady() ? true : (first.campaign(), false)), 3000, 'a to lead');
  let last = 0;
  for (let i = 0; i < 20; i++) last = (await first.propose(cmd(`k${i}=${i}`))).index;
  // The commit index of the last write is not stored on its own, so the restart begins behind it.
  t.true(storage.initialState().hardState.commit < last);
  await first.stop();

  const sm = new KvMachine();
  const second = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: sm, tickMs: 2000 });
  t.teardown(() => second.stop());
  const seen: { role: string; ready: boolean; has: boolean }[] = [];
  second.on('leaderChange', (c: LeaderChange) => seen.push({ role: c.role, ready: second.isLeaderReady(), has: sm.map.has('k19') }));
  const ready = new Promise<{ term: number; has: boolean }>((resolve) => second.once('leaderReady', ({ term }) => resolve({ term, has: sm.map.get('k19') === '19' })));
  t.false(second.isLeaderReady());
  // A node campaigns only once its configuration (the bootstrap entry) is applied.
  await waitFor(() => second.status().conf.voters.length > 0, 3000, 'the configuration to apply');
  second.campaign();
  const r = await ready;
  t.is(r.term, second.term);
  t.true(r.has, 'the last acknowledged write is applied when the leader reports ready');
  t.deepEqual(
    seen.filter((s) => s.role === 'leader'),
    [{ role: 'leader', ready: false, has: false }],
  );
  t.true(second.isLeaderReady());
  t.is(sm.map.size, 20);
});
