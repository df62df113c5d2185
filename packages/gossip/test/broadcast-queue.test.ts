import test from 'ava';
import type { BroadcastMessage } from '../src/index.js';
import { BroadcastQueue } from '../src/index.js';

const alive = (node: string, inc = 1, pad = ''): BroadcastMessage => ({
  t: 'alive',
  node,
  inc,
  addr: '10.0.0.1',
  port: 7946,
  tags: pad ? { pad } : {},
});

test('fresh broadcasts are handed out before ones already sent', (t) => {
  const q = new BroadcastQueue(4);
  q.queue('a', alive('a'));
  t.deepEqual(
    q.get(2, 1400, 10).map((m) => m.node),
    ['a'],
  );
  q.queue('b', alive('b'));
  const order = q.entries().map((e) => e.key);
  t.deepEqual(order, ['b', 'a']);
});

test('among equally sent broadcasts the largest goes first, then the newest', (t) => {
  const q = new BroadcastQueue(4);
  q.queue('a', alive('a'));
  q.queue('b', alive('b', 1, 'x'.repeat(50)));
  q.queue('c', alive('c'));
  t.deepEqual(
    q.entries().map((e) => e.key),
    ['b', 'c', 'a'],
  );
});

test('a broadcast is dropped after RetransmitMult × ceil(log10(N+1)) transmits', (t) => {
  const q = new BroadcastQueue(4);
  q.queue('a', alive('a'));
  let sends = 0;
  while (q.get(2, 1400, 10).length > 0) sends++;
  t.is(sends, 8);
  t.is(q.length, 0);
  const big = new BroadcastQueue(4);
  big.queue('a', alive('a'));
  sends = 0;
  while (big.get(2, 1400, 1000).length > 0) sends++;
  t.is(sends, 16);
});

test('a newer broadcast about the same member replaces the older one', (t) => {
  const q = new BroadcastQueue(4);
  q.queue('a', alive('a', 1));
  q.queue('b', alive('b', 1));
  q.queue('a', { t: 'suspect', node: 'a', inc: 1, from: 'b' });
  t.is(q.length, 2);
  const msgs = q.get(2, 1400, 10);
  t.deepEqual(msgs.map((m) => `${m.t}:${m.node}`).sort(), ['alive:b', 'suspect:a']);
});

test('get packs only what fits in the byte budget and leaves the rest queued', (t) => {
  const q = new BroadcastQueue(4);
  for (let i = 0; i < 30; i++) q.queue(`n${i}`, alive(`n${i}`, 1, 'y'.repeat(40)));
  const size = Buffer.byteLength(JSON.stringify(alive('n10', 1, 'y'.repeat(40))));
  const got = q.get(2, 1000, 30);
  t.true(got.length > 0);
  const used = got.reduce((s, m) => s + Buffer.byteLength(JSON.stringify(m)) + 2, 0);
  t.true(used <= 1000);
  t.true(used + size + 2 > 1000, 'the packet is filled as far as another message would not fit');
  t.is(q.length, 30, 'nothing reached its transmit limit yet');
  t.true(
    q
      .entries()
      .slice(0, 30 - got.length)
      .every((e) => e.transmits === 0),
  );
});

test('the queue is capped and sheds the most-sent entries first', (t) => {
  const q = new BroadcastQueue(4, 5);
  q.queue('old', alive('old'));
  q.get(2, 1400, 10);
  for (let i = 0; i < 5; i++) q.queue(`n${i}`, alive(`n${i}`));
  t.is(q.length, 5);
  t.false(q.entries().some((e) => e.key === 'old'));
});
