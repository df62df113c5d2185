import test from 'ava';
import { type AppliedEntry, MemoryNetwork, MemoryStorage, RaftNode } from '../src/index.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

/** KvMachine that records the `local` value each applied entry came with. */
class RecordingMachine extends KvMachine {
  readonly locals = new Map<number, unknown>();
  override apply(e: AppliedEntry): number {
    this.locals.set(e.index, e.local);
    return super.apply(e);
  }
}

test("a proposal's local value reaches only the proposer's state machine, with its own entry", async (t) => {
  const ids = ['a', 'b', 'c'];
  const net = new MemoryNetwork();
  const members: { node: RaftNode<number>; sm: RecordingMachine }[] = [];
  for (const id of ids) {
    const sm = new RecordingMachine();
    const node = await RaftNode.start({ id, storage: new MemoryStorage(), transport: net.transport(id), stateMachine: sm, bootstrap: ids, tickMs: 10 });
    t.teardown(() => node.stop());
    members.push({ node, sm });
  }
  let leader: (typeof members)[number] | undefined;
  await waitFor(() => (leader = members.find((m) => m.node.isLeader())) !== undefined, 5000, 'a leader');
  const l = leader as (typeof members)[number];
  const decoded = { key: 'x', value: '1' };
  const withLocal = await l.node.propose(cmd('x=1'), decoded);
  const without = await l.node.propose(cmd('y=2'));
  // many at once: each entry gets its own proposal's value
  const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => l.node.propose(cmd(`k${i}=${i}`), { i })));
  t.is(l.sm.locals.get(withLocal.index), decoded);
  t.true(l.sm.locals.has(without.index));
  t.is(l.sm.locals.get(without.index), undefined);
  for (const [i, r] of batch.entries()) t.deepEqual(l.sm.locals.get(r.index), { i });
  const last = batch.at(-1)?.index ?? 0;
  const followers = members.filter((m) => m !== l);
  await waitFor(() => followers.every((f) => f.sm.appliedIndex >= last), 5000, 'followers to apply');
  for (const f of followers) {
    t.is(f.sm.map.get('x'), '1');
    t.true(
      [...f.sm.locals.values()].every((v) => v === undefined),
      'a follower applies the data alone',
    );
  }
});

test('a restarted node replays its log from the data alone', async (t) => {
  const net = new MemoryNetwork();
  const storage = new MemoryStorage();
  const first = new RecordingMachine();
  const node = await RaftNode.start({ id: 'a', storage, transport: net.transport('a'), stateMachine: first, bootstrap: ['a'], tickMs: 10 });
  await waitFor(() => node.isLeader(), 5000, 'the single voter to lead');
  const r = await node.propose(cmd('x=1'), 'decoded');
  t.is(first.locals.get(r.index), 'decoded');
  await node.stop();
  const again = new RecordingMachine();
  const restarted = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: again, tickMs: 10 });
  t.teardown(() => restarted.stop());
  await waitFor(() => again.appliedIndex >= r.index, 5000, 'the replay');
  t.is(again.map.get('x'), '1');
  t.true(again.locals.has(r.index));
  t.is(again.locals.get(r.index), undefined);
});
