import test from 'ava';
import type { PacketMessage } from '../src/index.js';
import { makeCore, stateOf } from './_helpers.js';

const gossiped = (tc: ReturnType<typeof makeCore>): PacketMessage[] => {
  tc.advance(tc.now() + 1000);
  return tc.packets().flatMap((p) => p.msgs);
};

test('a member suspected at its own incarnation refutes with a higher one', (t) => {
  const tc = makeCore();
  t.is(tc.core.self.incarnation, 1);
  tc.step('n1', [{ t: 'suspect', node: 'n0', inc: 1, from: 'n1' }]);
  t.is(tc.core.self.incarnation, 2);
  t.is(tc.core.self.status, 'alive');
  t.is(tc.core.awarenessScore, 1, 'having to refute counts against local health');
  const alive = gossiped(tc).find((m) => m.t === 'alive' && m.node === 'n0');
  t.like(alive, { t: 'alive', node: 'n0', inc: 2 });
});

test('a refutation beats an accusation at a higher incarnation', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'dead', node: 'n0', inc: 9, from: 'n1' }]);
  t.is(tc.core.self.incarnation, 10);
  t.is(tc.core.self.status, 'alive');
});

test('an accusation about an older incarnation of ourselves is ignored', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'suspect', node: 'n0', inc: 1, from: 'n1' }]);
  tc.step('n2', [{ t: 'suspect', node: 'n0', inc: 1, from: 'n2' }]);
  t.is(tc.core.self.incarnation, 2);
});

test('a leaving member does not refute, and its leave is gossiped as left', (t) => {
  const tc = makeCore();
  tc.core.leave(tc.now());
  tc.step('n1', [{ t: 'suspect', node: 'n0', inc: 1, from: 'n1' }]);
  t.is(tc.core.self.status, 'left');
  t.is(tc.core.self.incarnation, 1);
  const leave = gossiped(tc).find((m) => m.t === 'dead' && m.node === 'n0');
  t.like(leave, { t: 'dead', node: 'n0', from: 'n0' });
});

test('a dead message from the member itself marks it left, from anyone else failed', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'dead', node: 'n1', inc: 1, from: 'n1' }]);
  tc.step('n3', [{ t: 'dead', node: 'n2', inc: 1, from: 'n3' }]);
  t.is(tc.core.member('n1')?.status, 'left');
  t.is(tc.core.member('n2')?.status, 'failed');
  const types = tc.out.flatMap((o) => (o.kind === 'event' ? [o.event.type] : []));
  t.deepEqual(types, ['leave', 'failed']);
});

test('a leave about a member already seen failed turns it into left', (t) => {
  const tc = makeCore();
  tc.step('n3', [{ t: 'dead', node: 'n2', inc: 1, from: 'n3' }]);
  tc.step('n2', [{ t: 'dead', node: 'n2', inc: 1, from: 'n2' }]);
  t.is(tc.core.member('n2')?.status, 'left');
});

test('a failed member rejoins with a higher incarnation, even from a new address', (t) => {
  const tc = makeCore({ peers: [stateOf('n1', { inc: 4, status: 'failed' })] });
  tc.step('n1', [{ t: 'alive', node: 'n1', inc: 4, addr: '10.0.0.2', port: 7946, tags: {} }]);
  t.is(tc.core.member('n1')?.status, 'failed', 'same incarnation cannot resurrect it');
  tc.step('n1', [{ t: 'alive', node: 'n1', inc: 5, addr: '10.0.0.99', port: 9000, tags: { role: 'node' } }]);
  t.like(tc.core.member('n1'), { status: 'alive', incarnation: 5, addr: '10.0.0.99', port: 9000 });
  const types = tc.out.flatMap((o) => (o.kind === 'event' ? [o.event.type] : []));
  t.deepEqual(types, ['join']);
});

test('a live member claimed from another address is a conflict and is ignored', (t) => {
  const tc = makeCore();
  tc.step('n9', [{ t: 'alive', node: 'n1', inc: 7, addr: '10.9.9.9', port: 1, tags: {} }]);
  t.like(tc.core.member('n1'), { addr: '10.0.0.2', incarnation: 1 });
  t.is(tc.core.stats.addressConflicts, 1);
});

test('new tags raise the incarnation and reach peers as an update', (t) => {
  const a = makeCore({ name: 'n0' });
  a.core.setTags({ role: 'consul', dc: 'dc1' }, a.now());
  t.is(a.core.self.incarnation, 2);
  const alive = gossiped(a).find((m) => m.t === 'alive' && m.node === 'n0');
  if (!alive) return t.fail('no alive broadcast');
  const b = makeCore({ name: 'n1', peers: ['n0', 'n2'] });
  b.step('n0', [alive]);
  t.deepEqual(b.core.member('n0')?.tags, { role: 'consul', dc: 'dc1' });
  const types = b.out.flatMap((o) => (o.kind === 'event' ? [o.event.type] : []));
  t.deepEqual(types, ['update']);
});

test('tags larger than the limit are refused with a typed error', (t) => {
  const tc = makeCore();
  const err = t.throws(() => tc.core.setTags({ big: 'x'.repeat(600) }, 0));
  t.is((err as { code?: string }).code, 'GOSSIP_TAGS_TOO_LARGE');
  t.is(tc.core.self.incarnation, 1);
});
