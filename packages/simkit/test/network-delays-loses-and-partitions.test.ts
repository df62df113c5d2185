import test from 'ava';
import { SimClock, SimNetwork, Xoshiro128 } from '../src/index.js';

test('the network delays, loses, partitions and duplicates datagrams as configured, and replays from its seed', (t) => {
  const run = (seed: number): { got: string[]; sent: number; dropped: number } => {
    const clock = new SimClock();
    const net = new SimNetwork(clock, new Xoshiro128(seed), { loss: 0.2, duplicate: 0.1, latencyMs: 2, jitterMs: 3 });
    const got: string[] = [];
    for (let i = 0; i < 200; i++) net.send('a', 'b', () => got.push(`${i}@${clock.now.toFixed(3)}`));
    clock.runUntil(1000);
    return { got, sent: net.sent, dropped: net.dropped };
  };
  const r = run(7);
  t.deepEqual(r, run(7));
  t.is(r.sent, 200);
  t.true(r.dropped > 10 && r.dropped < 80, `dropped ${r.dropped}`);
  const delays = r.got.map((g) => Number(g.split('@')[1]));
  t.true(delays.every((d) => d >= 2 && d < 2 + 3 * 3 + 1e-9));
  t.true(r.got.length > 200 - r.dropped, 'some datagrams arrive twice');

  const clock = new SimClock();
  const net = new SimNetwork(clock, new Xoshiro128(1), { latencyMs: 5, extraLatencyMs: (from, to) => (from[0] === to[0] ? 0 : 100) });
  const arrivals: string[] = [];
  const send = (from: string, to: string): void => net.send(from, to, () => arrivals.push(`${from}>${to}@${clock.now}`));
  net.block('a1', 'a2');
  send('a1', 'a2');
  send('a2', 'a1');
  send('a1', 'b1');
  net.partition([['a1', 'a2'], ['b1']]);
  send('b1', 'a1');
  clock.runUntil(50);
  net.heal();
  net.crash('b1');
  send('a1', 'b1');
  t.false(net.isUp('b1'));
  clock.runUntil(200);
  net.restart('b1');
  send('b1', 'a2');
  clock.runUntil(400);
  // a1>b1 was sent before the partition and is lost in flight when the partition appears.
  t.deepEqual(arrivals, ['a2>a1@5', 'b1>a2@305']);
  t.is(net.streamLatency('a1', 'a2'), 5);
  let outcome: boolean | undefined;
  net.block('a1', 'a2');
  net.send(
    'a1',
    'a2',
    () => t.fail(),
    (ok) => (outcome = ok),
  );
  clock.runUntil(500);
  t.false(outcome);
});
