import test from 'ava';
import { EventQueue, SimClock } from '../src/index.js';

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
  t.is(
    timers.setTimeout(() => late++, 1),
    undefined,
  );
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
