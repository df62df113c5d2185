import test from 'ava';
import { Suspicion } from '../src/index.js';
import { makeCore } from './_helpers.js';

const peers = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const events = (tc: ReturnType<typeof makeCore>) => tc.out.flatMap((o) => (o.kind === 'event' ? [`${o.event.type}:${o.event.member.name}`] : []));

test('a suspicion timer starts at max and ignores the accuser as a confirmation', (t) => {
  const s = new Suspicion('a', 2, 8000, 48000, 1000);
  t.is(s.deadline, 49000);
  t.false(s.confirm('a', 2000));
  t.true(s.confirm('b', 2000));
  t.false(s.confirm('b', 2100), 'one confirmation per peer');
  t.true(s.deadline < 49000 && s.deadline > 9000);
  t.true(s.confirm('c', 3000));
  t.is(s.deadline, 9000, 'k confirmations bring it down to min');
  t.false(s.confirm('d', 3000), 'no more than k confirmations count');
});

test('without expected confirmations the timer starts at min', (t) => {
  const s = new Suspicion('a', 0, 4000, 24000, 0);
  t.is(s.deadline, 4000);
});

test('a suspect member is declared failed when its suspicion timer runs out', (t) => {
  // 10 members: min 4 s, max 24 s, k = 2.
  const tc = makeCore({ peers: peers(9), autoAck: true });
  tc.step('n2', [{ t: 'suspect', node: 'n5', inc: 1, from: 'n2' }]);
  t.is(tc.core.member('n5')?.status, 'suspect');
  t.is(tc.core.suspicionDeadline('n5'), 24_000);
  tc.advance(23_999);
  t.is(tc.core.member('n5')?.status, 'suspect');
  tc.advance(24_000);
  t.is(tc.core.member('n5')?.status, 'failed');
  t.deepEqual(events(tc), ['suspect:n5', 'failed:n5']);
  // The declaration is gossiped as a dead message from us.
  tc.advance(24_500);
  const dead = tc
    .packets()
    .flatMap((p) => p.msgs)
    .find((m) => m.t === 'dead');
  t.like(dead, { t: 'dead', node: 'n5', from: 'n0' });
});

test('independent confirmations shorten the suspicion and are re-gossiped', (t) => {
  const tc = makeCore({ peers: peers(9), autoAck: true });
  tc.step('n2', [{ t: 'suspect', node: 'n5', inc: 1, from: 'n2' }]);
  tc.advance(1000);
  tc.step('n3', [{ t: 'suspect', node: 'n5', inc: 1, from: 'n3' }]);
  const after1 = tc.core.suspicionDeadline('n5') ?? 0;
  t.true(after1 < 24_000);
  tc.advance(1500);
  tc.step('n4', [{ t: 'suspect', node: 'n5', inc: 1, from: 'n4' }]);
  t.is(tc.core.suspicionDeadline('n5'), 4000, 'two confirmations: min from the start');
  tc.clear();
  tc.advance(1700);
  const gossiped = tc
    .packets()
    .flatMap((p) => p.msgs)
    .filter((m) => m.t === 'suspect');
  t.true(gossiped.some((m) => m.t === 'suspect' && m.from === 'n4'));
  tc.advance(4000);
  t.is(tc.core.member('n5')?.status, 'failed');
});

test('a small cluster uses the minimum timeout since no confirmations can come', (t) => {
  const tc = makeCore({ peers: peers(2), autoAck: true });
  tc.step('n1', [{ t: 'suspect', node: 'n2', inc: 1, from: 'n1' }]);
  t.is(tc.core.suspicionDeadline('n2'), 4000);
});

test('an alive message with a higher incarnation clears the suspicion', (t) => {
  const tc = makeCore({ peers: peers(9), autoAck: true });
  tc.step('n2', [{ t: 'suspect', node: 'n5', inc: 1, from: 'n2' }]);
  tc.step('n5', [{ t: 'alive', node: 'n5', inc: 2, addr: '10.0.0.6', port: 7946, tags: {} }]);
  t.is(tc.core.member('n5')?.status, 'alive');
  t.is(tc.core.suspicionDeadline('n5'), undefined);
  tc.advance(30_000);
  t.not(tc.core.member('n5')?.status, 'failed');
});

test('a suspicion about an older incarnation is ignored', (t) => {
  const tc = makeCore({ peers: peers(3), autoAck: true });
  tc.step('n1', [{ t: 'alive', node: 'n2', inc: 5, addr: '10.0.0.3', port: 7946, tags: {} }]);
  tc.step('n1', [{ t: 'suspect', node: 'n2', inc: 4, from: 'n1' }]);
  t.is(tc.core.member('n2')?.status, 'alive');
});
