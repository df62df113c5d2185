import test from 'ava';
import { SortedKeys } from '../src/sorted-keys.js';

/** A small deterministic generator, so that a failure repeats. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function naivePrefix(keys: Set<string>, prefix: string): string[] {
  return [...keys].filter((k) => k.startsWith(prefix)).sort();
}

test('keys stay sorted and unique through thousands of adds and deletes across chunk splits', (t) => {
  const sk = new SortedKeys();
  const ref = new Set<string>();
  const rand = rng(7);
  for (let i = 0; i < 20_000; i++) {
    const key = `k/${Math.floor(rand() * 50)}/${Math.floor(rand() * 400)}`;
    if (rand() < 0.7) {
      sk.add(key);
      ref.add(key);
    } else {
      sk.delete(key);
      ref.delete(key);
    }
  }
  t.true(ref.size > 2000, 'enough keys to need several chunks');
  t.is(sk.size, ref.size);
  t.deepEqual([...sk.all()], [...ref].sort());
  for (const prefix of ['', 'k/', 'k/1', 'k/1/', 'k/49/3', 'k/7/399', 'k/zz', 'a', 'l']) {
    t.deepEqual([...sk.withPrefix(prefix)], naivePrefix(ref, prefix), `prefix ${JSON.stringify(prefix)}`);
  }
});

test('keys added in ascending and descending order, then all deleted, leave an empty set', (t) => {
  const sk = new SortedKeys();
  const keys = Array.from({ length: 3000 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
  for (const k of keys.slice(0, 1500)) sk.add(k);
  for (const k of keys.slice(1500).reverse()) sk.add(k);
  sk.add('key-00010');
  t.is(sk.size, 3000);
  t.deepEqual([...sk.withPrefix('key-0299')], keys.slice(2990, 3000));
  for (const k of keys) sk.delete(k);
  sk.delete('missing');
  t.is(sk.size, 0);
  t.deepEqual([...sk.withPrefix('')], []);
  sk.add('again');
  t.deepEqual([...sk.all()], ['again']);
});

test('a set built at once from sorted keys answers as one built key by key, and takes further adds and deletes', (t) => {
  const keys = Array.from({ length: 5_000 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
  const bulk = SortedKeys.fromSorted(keys);
  if (!bulk) return t.fail('sorted keys refused');
  const one = new SortedKeys();
  for (const k of keys) one.add(k);
  t.is(bulk.size, 5_000);
  t.deepEqual(bulk.all(), one.all());
  t.deepEqual([...bulk.withPrefix('k/012')], [...one.withPrefix('k/012')]);
  for (const s of [bulk, one]) {
    s.add('k/01234x');
    s.delete('k/00000');
    s.add('a');
  }
  t.deepEqual(bulk.all(), one.all());
  t.is(SortedKeys.fromSorted(['b', 'a']), undefined);
  t.is(SortedKeys.fromSorted(['a', 'a']), undefined, 'a repeated key is not strictly ascending');
  t.is(SortedKeys.fromSorted([])?.size, 0);
});
