/**
 * A storage that stores a Ready the moment it is handed one (`saveNow`, a log kept in memory)
 * lets the driver store, commit and apply a proposal in the loop turn that proposed it; a
 * cluster of such storages replicates and applies exactly what one with asynchronous writes does.
 */
import test from 'ava';
import { MemoryNetwork, MemoryStorage, type PersistBatch, RaftNode } from '../src/index.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

/** MemoryStorage that offers `saveNow` and counts the writes made through it. */
class SavesAtOnce extends MemoryStorage {
  now = 0;
  saveNow(batch: PersistBatch): void {
    this.now++;
    this.saveSync(batch);
  }
}

/** Resolves after the loop turns already queued (and this one's continuations). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function soleVoter(storage: MemoryStorage): Promise<{ node: RaftNode<number>; sm: KvMachine }> {
  const sm = new KvMachine();
  const node = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: sm, bootstrap: ['a'], tickMs: 10 });
  await waitFor(() => node.isLeaderReady(), 5000, 'the single voter to lead');
  return { node, sm };
}

test('a single voter over a storage that saves at once applies a proposal in the turn that proposed it', async (t) => {
  const storage = new SavesAtOnce();
  const { node, sm } = await soleVoter(storage);
  t.teardown(() => node.stop());
  for (let i = 0; i < 20; i++) {
    let applied = false;
    const p = node.propose(cmd(`k${i}=${i}`)).then((r) => {
      applied = true;
      return r;
    });
    await nextTurn();
    t.true(applied, `proposal ${i} is applied by the end of the turn after it`);
    t.is(sm.map.get(`k${i}`), String(i));
    t.is((await p).index, sm.appliedIndex);
  }
  t.true(storage.now > 0, 'the writes went through saveNow');
  // a batch proposed in one turn is applied in the next
  const batch = Array.from({ length: 100 }, (_, i) => node.propose(cmd(`b${i}=${i}`)));
  let settled = 0;
  for (const p of batch) void p.then(() => settled++);
  await nextTurn();
  t.is(settled, 100);
});

test('the same single voter over an asynchronous storage needs more than that turn (the comparison above is not vacuous)', async (t) => {
  const { node } = await soleVoter(new MemoryStorage());
  t.teardown(() => node.stop());
  let applied = false;
  const p = node.propose(cmd('x=1')).then(() => {
    applied = true;
  });
  await nextTurn();
  t.false(applied);
  await p;
  t.true(applied);
});

test('a cluster whose storages save at once replicates and applies every proposal on every member', async (t) => {
  const ids = ['a', 'b', 'c'];
  const net = new MemoryNetwork();
  const members: { node: RaftNode<number>; sm: KvMachine; storage: SavesAtOnce }[] = [];
  for (const id of ids) {
    const sm = new KvMachine();
    const storage = new SavesAtOnce();
    const node = await RaftNode.start({ id, storage, transport: net.transport(id), stateMachine: sm, bootstrap: ids, tickMs: 10 });
    t.teardown(() => node.stop());
    members.push({ node, sm, storage });
  }
  let leader: (typeof members)[number] | undefined;
  await waitFor(() => (leader = members.find((m) => m.node.isLeaderReady())) !== undefined, 5000, 'a leader');
  const l = leader as (typeof members)[number];
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => l.node.propose(cmd(`k${i}=${i}`))));
  const last = Math.max(...results.map((r) => r.index));
  await waitFor(() => members.every((m) => m.sm.appliedIndex >= last), 5000, 'every member to apply');
  for (const m of members) {
    for (let i = 0; i < 200; i++) t.is(m.sm.map.get(`k${i}`), String(i));
    t.true(m.storage.now > 0);
    t.is(m.storage.lastIndex(), l.storage.lastIndex());
  }
});
