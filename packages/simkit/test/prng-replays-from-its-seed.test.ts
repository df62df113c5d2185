import test from 'ava';
import { createPrng, shuffle, Xoshiro128 } from '../src/index.js';

test('a seed gives the same stream every time, forks are independent, and createPrng agrees with Xoshiro128 below 2^32', (t) => {
  const a = new Xoshiro128(42);
  const b = new Xoshiro128(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  t.deepEqual(
    xs,
    Array.from({ length: 100 }, () => b.next()),
  );
  t.true(xs.every((x) => x >= 0 && x < 1));
  t.notDeepEqual(
    xs,
    Array.from({ length: 100 }, () => new Xoshiro128(43).next()),
  );
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
