import test from 'ava';
import { encodePacket } from '../src/index.js';
import { makeCore, stateOf } from './_helpers.js';

test('piggybacked and gossip packets stay within the UDP buffer size however long the queue is', (t) => {
  const peers = Array.from({ length: 50 }, (_, i) => `n${i + 1}`);
  const tc = makeCore({ peers, autoAck: true });
  // 300 new members with sizeable tags: far more than one packet can carry.
  tc.core.mergeRemoteState(
    Array.from({ length: 300 }, (_, i) => stateOf(`n${i + 100}`, { tags: { role: 'node', dc: 'dc1', pad: 'z'.repeat(60) } })),
    0,
  );
  tc.advance(10_000);
  const packets = tc.packets();
  t.true(packets.length > 50);
  let multi = 0;
  for (const p of packets) {
    const size = encodePacket(p.msgs).length;
    t.true(size <= tc.core.config.udpBufferSize, `packet of ${size} bytes`);
    if (p.msgs.length > 1) multi++;
  }
  t.true(multi > 10, 'broadcasts are packed several to a packet');
  const biggest = Math.max(...packets.map((p) => encodePacket(p.msgs).length));
  t.true(biggest > 1000, `packets are filled (largest ${biggest} bytes)`);
});

test('push-pull carries newer tags to a member that missed the update', (t) => {
  const tc = makeCore({ peers: [stateOf('n1', { tags: { v: '1' } })] });
  tc.core.mergeRemoteState([stateOf('n1', { inc: 2, tags: { v: '2' } })], 0);
  tc.out.push(...tc.core.drain());
  t.deepEqual(tc.core.member('n1')?.tags, { v: '2' });
  t.deepEqual(
    tc.out.flatMap((o) => (o.kind === 'event' ? [o.event.type] : [])),
    ['update'],
  );
});
