import test from 'ava';
import { createPrng, EventQueue, shuffle, SimClock, SimNetwork, Xoshiro128 } from '../src/index.js';

test('a seed gives the same stream every time, forks are independent, and createPrng agrees with Xoshiro128 below 2^32', (t) => {
  const a = new Xoshiro128(42);
  const b = new Xoshiro128(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  t.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
  t.true(xs.every((x) => x >= 0 && x < 1));
  t.notDeepEqual(xs, Array.from({ length: 100 }, () => new Xoshiro128(43).next()));
  const c = createPrng(42);
  t.is(c.next(), new Xoshiro128(42).next());
  const big = createPrng(2 ** 40 + 5);
  t.is(big.next(), createPrng(2 ** 40 + 5).next());
  const ints = Array.from({ length: 1000 }, () => a.int(7));
  t.true(ints.every((i) => Number.isInteger(i) && i >= 0 && i < 7));
  t.is(new Set(ints).size, 7);
  const items = [1, 2, 3, 4, 5, 6, 7, 8];
  shuffle(items, new Xoshiro128(1));
  t.deepEqual([...items].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.notDeepEqual(items, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('the event queue hands out values by time, and values due at the same time in the order they were pushed', (t) => {
  const q = new EventQueue<string>();
  q.push(5, 'c');
  q.push(1, 'a');
  q.push(5, 'd');
  q.push(3, 'b');
  q.push(5, 'e');
  const out: string[] = [];
  for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(`${e.at}${e.value}`);
  t.deepEqual(out, ['1a', '3b', '5c', '5d', '5e']);
  t.is(q.peekTime(), Number.POSITIVE_INFINITY);
});

test('the clock runs callbacks in time order, moves only through events, and cancels timers', (t) => {
  const clock = new SimClock();
  const seen: string[] = [];
  clock.schedule(10, () => seen.push(`a@${clock.now}`));
  const cancelled = clock.schedule(5, () => seen.push('never'));
  clock.at(7, () => {
    seen.push(`b@${clock.now}`);
    clock.schedule(0, () => seen.push(`c@${clock.now}`));
  });
  clock.cancel(cancelled);
  t.true(clock.runNext(8));
  t.is(clock.now, 7);
  clock.runUntil(100);
  t.deepEqual(seen, ['b@7', 'c@7', 'a@10']);
  t.is(clock.now, 100);
  t.is(clock.eventsRun, 3);
  t.false(clock.runNext());
});

test('a process timer group runs intervals, defers and timeouts, and a crash cancels all of them', (t) => {
  const clock = new SimClock();
  const timers = clock.timers();
  let ticks = 0;
  let late = 0;
  const deferred: number[] = [];
  const iv = timers.setInterval(() => ticks++, 10);
  timers.setTimeout(() => late++, 55);
  timers.defer(() => deferred.push(timers.now()));
  clock.runUntil(50);
  t.is(ticks, 5);
  t.deepEqual(deferred, [0]);
  timers.cancelAll();
  clock.runUntil(200);
  t.is(ticks, 5);
  t.is(late, 0);
  t.is(timers.setTimeout(() => late++, 1), undefined);
  clock.runUntil(300);
  t.is(late, 0);
  // clearInterval on a live group stops the series.
  const other = clock.timers();
  let n = 0;
  const h = other.setInterval(() => {
    n++;
    if (n === 3) other.clearInterval(h);
  }, 1);
  clock.runUntil(400);
  t.is(n, 3);
  timers.clearInterval(iv);
});

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
  net.send('a1', 'a2', () => t.fail(), (ok) => (outcome = ok));
  clock.runUntil(500);
  t.false(outcome);
});
