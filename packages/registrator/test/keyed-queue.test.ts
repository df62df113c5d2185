import test from 'ava';
import { KeyedQueue, Limiter } from '../src/keyed-queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('tasks of one key run one at a time; a burst coalesces into one more run', async (t) => {
  const q = new KeyedQueue();
  const log: string[] = [];
  let runs = 0;
  const task = async () => {
    const n = ++runs;
    log.push(`start ${n}`);
    await tick();
    log.push(`end ${n}`);
  };
  const all = [q.run('a', task), q.run('a', task), q.run('a', task), q.run('a', task)];
  await Promise.all(all);
  t.deepEqual(log, ['start 1', 'end 1', 'start 2', 'end 2']);
  t.is(q.size, 0);
});

test('different keys run in parallel, and a failed task does not block the key', async (t) => {
  const q = new KeyedQueue();
  const order: string[] = [];
  const p1 = q.run('a', async () => {
    await tick(20);
    order.push('a');
    throw new Error('boom');
  });
  const p2 = q.run('b', async () => {
    order.push('b');
  });
  const p3 = q.run('a', async () => {
    order.push('a2');
  });
  await t.throwsAsync(p1);
  await Promise.all([p2, p3]);
  t.deepEqual(order, ['b', 'a', 'a2']);
});

test('the limiter caps concurrency', async (t) => {
  const l = new Limiter(2);
  let active = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 6 }, () =>
      l.run(async () => {
        peak = Math.max(peak, ++active);
        await tick();
        active--;
      }),
    ),
  );
  t.is(peak, 2);
});
