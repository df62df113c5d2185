import test from 'ava';
import { bootstrapEntries } from '../src/core/bootstrap.js';
import { Xoshiro128 } from '@concord/simkit';
import { RawNode } from '../src/core/raw-node.js';
import { message } from '../src/core/types.js';
import { runSeed } from '../src/sim/simulator.js';
import { MemoryStorage } from '../src/storage/memory-storage.js';

const storages = new WeakMap<RawNode, MemoryStorage>();

function node(id: string, storage: MemoryStorage): RawNode {
  const n = new RawNode({ id, prng: new Xoshiro128(7), electionTick: 10, heartbeatTick: 1 }, storage);
  storages.set(n, storage);
  return n;
}

function member(id: string, voters: string[]): RawNode {
  const storage = new MemoryStorage();
  const b = bootstrapEntries(voters);
  storage.append(b.entries);
  storage.setHardState(b.hardState);
  const n = node(id, storage);
  drain(n, n); // applies the bootstrap configuration
  return n;
}

/** Persists and applies `from`'s Readys, delivering its messages addressed to `to`. */
function drain(from: RawNode, to: RawNode): void {
  const storage = storages.get(from)!;
  while (from.hasReady()) {
    const rd = from.ready();
    if (rd.snapshot) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    from.advance(rd);
    for (const m of rd.messages) if (m.to === to.id) to.step(m);
  }
}

test('a member drops a forged heartbeat, append, vote or timeoutNow from an id outside its configuration, and counts it', (t) => {
  const n = member('1', ['1', '2', '3']);
  const term = n.raft.term;
  for (const type of ['heartbeat', 'app', 'vote', 'preVote', 'timeoutNow'] as const) {
    const accepted = n.step(message({ type, from: 'intruder', to: '1', term: term + 1000, index: 1000, logTerm: term + 1000 }));
    t.false(accepted, type);
  }
  t.is(n.raft.term, term);
  t.is(n.raft.lead, '');
  t.is(n.droppedFromNonMembers, 5);
  t.false(n.step(message({ type: 'heartbeat', from: '1', to: '1', term: term + 5 })), 'a remote message claiming our own id');
  t.false(n.step(message({ type: 'heartbeat', from: '', to: '1', term: term + 5 })), 'a remote message without a sender');
});

test('a member obeys a heartbeat from another member', (t) => {
  const n = member('1', ['1', '2', '3']);
  const term = n.raft.term;
  t.true(n.step(message({ type: 'heartbeat', from: '2', to: '1', term: term + 1 })));
  t.is(n.raft.term, term + 1);
  t.is(n.raft.lead, '2');
});

test('a fresh server outside any configuration hears whoever adds it, then only the members once it has a configuration', (t) => {
  const leader = member('1', ['1']);
  leader.campaign();
  drain(leader, leader);
  t.is(leader.raft.role, 'leader');
  // The leader must apply an entry of its term before it accepts a configuration change.
  leader.propose([new Uint8Array([1])]);
  drain(leader, leader);
  leader.proposeConfChange({ changes: [{ type: 'addLearner', nodeId: '2' }] });

  const joiner = node('2', new MemoryStorage());
  t.deepEqual(joiner.confState(), { voters: [], learners: [] });
  for (let i = 0; i < 50 && !joiner.raft.isMember('2'); i++) {
    leader.tick();
    drain(leader, joiner);
    drain(joiner, leader);
  }
  t.true(joiner.raft.isMember('2'), 'the joiner applied a configuration listing itself');
  t.is(joiner.droppedFromNonMembers, 0);
  t.is(joiner.raft.lead, '1');
  t.false(joiner.step(message({ type: 'heartbeat', from: 'intruder', to: '2', term: joiner.raft.term + 1000 })));
  t.is(joiner.raft.lead, '1');
});

// Seeds whose swarm includes the intruder (it sends forged messages with a higher term to members
// throughout the run, while membership changes, crashes and snapshots happen).
test('in whole-cluster simulation no member ever obeys a forged message, and joins, removals and snapshots still work', async (t) => {
  let withIntruder = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const r = await runSeed({ seed });
    t.deepEqual(r.violations, [], `seed ${seed}`);
    if (r.stats.forged > 0) withIntruder++;
  }
  t.true(withIntruder > 0);
});

test('the simulation catches a core that obeys non-members', async (t) => {
  let failing = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = await runSeed({ seed, injectBug: 'accept-non-members' });
    if (r.violations.some((v) => v.includes('obeyed a forged'))) failing++;
  }
  t.true(failing > 0);
});
