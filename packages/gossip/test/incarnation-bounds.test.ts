import test from 'ava';
import { MAX_INCARNATION, decodePacket, encodePacket, incNewer, refutingIncarnation } from '../src/index.js';
import type { TestCore } from './_helpers.js';
import { makeCore } from './_helpers.js';

const QUARTER = 2 ** 30;
const statusOf = (tc: TestCore, name: string) => tc.core.members().find((m) => m.name === name);

test('a forged dead at the largest 32-bit incarnation, or at 2^53-1, cannot evict a member', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'dead', node: 'n0', inc: MAX_INCARNATION, from: 'n1' }]);
  t.is(tc.core.self.status, 'alive');
  t.is(tc.core.self.incarnation, 1, 'an accusation older than ours (in serial order) is ignored');
  const buf = Buffer.from(JSON.stringify([{ t: 'dead', node: 'n0', inc: 2 ** 53 - 1, from: 'x' }]));
  t.throws(() => decodePacket(buf), { code: 'GOSSIP_DECODE' } as never, 'beyond 32 bits the packet is refused whole');
});

test('the furthest believable accusation is refuted with an encodable incarnation that every peer takes as newer', (t) => {
  const accused = 1 + QUARTER - 1;
  const victim = makeCore();
  victim.step('n1', [{ t: 'dead', node: 'n0', inc: accused, from: 'n1' }]);
  const inc = victim.core.self.incarnation;
  t.is(inc, accused + 1);
  t.is(victim.core.self.status, 'alive');
  const [alive] = decodePacket(encodePacket([{ t: 'alive', node: 'n0', inc, addr: '127.0.0.1', port: 7946, tags: {} }]));

  // One peer believed the accusation, another never heard it: both take the refutation.
  for (const heard of [true, false]) {
    const peer = makeCore({ name: 'n1', peers: ['n0'] });
    const n0 = statusOf(peer, 'n0')!;
    if (heard) peer.step('n2', [{ t: 'dead', node: 'n0', inc: accused, from: 'n2' }]);
    t.is(statusOf(peer, 'n0')?.status, heard ? 'failed' : 'alive');
    peer.step('n0', [{ ...alive!, addr: n0.addr, port: n0.port } as never]);
    t.like(statusOf(peer, 'n0'), { status: 'alive', incarnation: inc }, heard ? 'peer that believed it' : 'peer that missed it');
  }
});

test('an accusation a quarter of the space ahead is not believed, by the member or its peers', (t) => {
  const victim = makeCore();
  victim.step('n1', [{ t: 'suspect', node: 'n0', inc: 1 + QUARTER, from: 'n1' }]);
  t.is(victim.core.self.incarnation, 1);
  const peer = makeCore({ name: 'n1', peers: ['n0'] });
  peer.step('n2', [{ t: 'dead', node: 'n0', inc: 1 + QUARTER, from: 'n2' }]);
  t.is(statusOf(peer, 'n0')?.status, 'alive');
});

test('repeated far accusations wrap the incarnation around 2^32 and each is still refuted', (t) => {
  const tc = makeCore();
  for (let i = 0; i < 6; i++) {
    const own = tc.core.self.incarnation;
    tc.step('n1', [{ t: 'dead', node: 'n0', inc: (own + QUARTER - 1) % 2 ** 32, from: 'n1' }]);
    t.true(incNewer(tc.core.self.incarnation, own));
    t.true(tc.core.self.incarnation <= MAX_INCARNATION);
    t.is(tc.core.self.status, 'alive');
  }
  t.is(tc.core.self.incarnation, (1 + 6 * QUARTER) % 2 ** 32, 'it wrapped past 2^32');
});

test('a refutation is newer than the accusation and fits in 32 bits', (t) => {
  for (const own of [1, 77, 2 ** 31, MAX_INCARNATION]) {
    for (const accused of [own, (own + 1) % 2 ** 32, (own + QUARTER - 1) % 2 ** 32]) {
      const r = refutingIncarnation(own, accused);
      t.true(Number.isInteger(r) && r >= 0 && r <= MAX_INCARNATION, `${own} accused at ${accused} -> ${r}`);
      t.true(incNewer(r, accused) && incNewer(r, own), `${r} newer than ${accused} and ${own}`);
    }
  }
});

test('the codec refuses an incarnation beyond 32 bits, as memberlist carries them', (t) => {
  for (const inc of [MAX_INCARNATION + 1, 2 ** 53 - 1]) {
    const buf = Buffer.from(JSON.stringify([{ t: 'suspect', node: 'n0', inc, from: 'x' }]));
    t.throws(() => decodePacket(buf), { code: 'GOSSIP_DECODE' } as never);
  }
  t.is(decodePacket(Buffer.from(JSON.stringify([{ t: 'dead', node: 'n0', inc: MAX_INCARNATION, from: 'x' }])))[0]?.t, 'dead');
});
