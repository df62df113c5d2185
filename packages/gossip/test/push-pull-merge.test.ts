import test from 'ava';
import { endpointOf, makeCore, stateOf } from './_helpers.js';

const types = (tc: ReturnType<typeof makeCore>) => tc.out.flatMap((o) => (o.kind === 'event' ? [`${o.event.type}:${o.event.member.name}`] : []));

test('merging a remote state adds unknown alive members and announces them', (t) => {
  const tc = makeCore({ peers: ['n1'] });
  tc.core.mergeRemoteState([stateOf('n1'), stateOf('n2', { tags: { role: 'node' } })], 0);
  tc.out.push(...tc.core.drain());
  t.like(tc.core.member('n2'), { status: 'alive', tags: { role: 'node' } });
  t.deepEqual(types(tc), ['join:n2']);
  t.true(tc.core.pendingBroadcasts >= 1, 'the new member is re-gossiped');
});

test('a remote failed state only makes a member suspect locally', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2'] });
  tc.core.mergeRemoteState([stateOf('n1', { status: 'failed' })], 0);
  t.is(tc.core.member('n1')?.status, 'suspect');
});

test('a remote left state is taken as is', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2'] });
  tc.core.mergeRemoteState([stateOf('n1', { status: 'left' })], 0);
  t.is(tc.core.member('n1')?.status, 'left');
});

test('remote states with older or equal incarnations change nothing', (t) => {
  const tc = makeCore({ peers: [stateOf('n1', { inc: 5, tags: { v: '2' } })] });
  tc.core.mergeRemoteState([stateOf('n1', { inc: 5, tags: { v: '1' } }), stateOf('n1', { inc: 3, status: 'left' })], 0);
  t.like(tc.core.member('n1'), { status: 'alive', incarnation: 5, tags: { v: '2' } });
});

test('unknown members that are not alive are not learned from a remote state', (t) => {
  const tc = makeCore({ peers: [] });
  tc.core.mergeRemoteState([stateOf('n7', { status: 'failed' }), stateOf('n8', { status: 'left' })], 0);
  t.is(tc.core.member('n7'), undefined);
  t.is(tc.core.member('n8'), undefined);
});

test('a restarted member learns it was declared failed and refutes above that incarnation', (t) => {
  const tc = makeCore({ peers: [] });
  tc.core.mergeRemoteState([stateOf('n0', { inc: 7, status: 'failed' }), stateOf('n1')], 0);
  t.is(tc.core.self.incarnation, 8);
  t.is(tc.core.self.status, 'alive');
});

test('local state lists every member with its status, incarnation and tags', (t) => {
  const tc = makeCore({ peers: [stateOf('n1', { inc: 3, tags: { a: 'b' } }), stateOf('n2', { status: 'left' })] });
  const state = tc.core.localState().sort((a, b) => a.name.localeCompare(b.name));
  t.deepEqual(
    state.map((s) => [s.name, s.status, s.inc]),
    [
      ['n0', 'alive', 1],
      ['n1', 'alive', 3],
      ['n2', 'left', 1],
    ],
  );
  t.deepEqual(state[1]?.tags, { a: 'b' });
});

test('periodic push-pull picks a live peer at an interval scaled to the cluster size', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', stateOf('n3', { status: 'failed' })], config: { reconnectIntervalMs: 1e9 }, autoAck: true });
  tc.advance(200_000);
  const pulls = tc.out.filter((o) => o.kind === 'push-pull');
  t.true(pulls.length >= 5 && pulls.length <= 7, `${pulls.length} push-pulls in 200 s at a 30 s interval`);
  t.true(pulls.every((p) => p.kind === 'push-pull' && p.to.addr !== '10.0.0.4'));
});

test('failed members are reaped after the reconnect timeout and left ones after the tombstone window', (t) => {
  const tc = makeCore({
    peers: ['n1', 'n2', 'n3'],
    config: { reconnectTimeoutMs: 60_000, tombstoneTimeoutMs: 120_000, reapIntervalMs: 5000 },
    autoAck: true,
  });
  tc.step('n3', [{ t: 'dead', node: 'n1', inc: 1, from: 'n3' }]);
  tc.step('n2', [{ t: 'dead', node: 'n2', inc: 1, from: 'n2' }]);
  tc.advance(59_000);
  t.truthy(tc.core.member('n1'));
  tc.advance(66_000);
  t.is(tc.core.member('n1'), undefined);
  t.truthy(tc.core.member('n2'));
  tc.advance(126_000);
  t.is(tc.core.member('n2'), undefined);
  t.deepEqual(
    types(tc).filter((e) => e.startsWith('reap')),
    ['reap:n1', 'reap:n2'],
  );
});

test('force-leave turns a failed member into left and refuses live ones', (t) => {
  const tc = makeCore({ peers: ['n1', stateOf('n2', { status: 'failed' })] });
  t.false(tc.core.forceLeave('n1', 0));
  t.false(tc.core.forceLeave('nobody', 0));
  t.true(tc.core.forceLeave('n2', 0));
  t.is(tc.core.member('n2')?.status, 'left');
});

test('force-leave with prune drops the member at once, also a left one, and a pruning leave received does the same', (t) => {
  const tc = makeCore({ peers: ['n1', stateOf('n2', { status: 'failed' }), stateOf('n3', { status: 'left' })] });
  t.false(tc.core.forceLeave('n3', 0));
  t.true(tc.core.forceLeave('n2', 0, true));
  t.is(tc.core.member('n2'), undefined);
  t.true(tc.core.forceLeave('n3', 0, true));
  t.is(tc.core.member('n3'), undefined);
  t.false(tc.core.forceLeave('n1', 0, true));

  const other = makeCore({ peers: ['n1', stateOf('n2', { status: 'failed' })] });
  other.step('n1', [{ t: 'dead', node: 'n2', inc: 1, from: 'n2', prune: true }]);
  t.is(other.core.member('n2'), undefined);
  t.true(types(other).includes('reap:n2'));
  // A stale alive about the pruned member does not bring it back; a newer incarnation does.
  other.step('n1', [{ t: 'alive', node: 'n2', inc: 1, ...endpointOf('n2'), tags: {} }]);
  t.is(other.core.member('n2'), undefined);
  other.step('n1', [{ t: 'alive', node: 'n2', inc: 2, ...endpointOf('n2'), tags: {} }]);
  t.is(other.core.member('n2')?.status, 'alive');
});
