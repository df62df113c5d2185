import test from 'ava';

import { ReplyMemo } from '../src/dns/reply-memo.js';

const query = (name: string) => Buffer.concat([Buffer.from([0, 1]), Buffer.from(name)]);

test('a full memo of current replies keeps them instead of dropping each before its next use', (t) => {
  const memo = new ReplyMemo({ maxEntries: 100, maxAgeMs: 60_000 });
  const names = Array.from({ length: 150 }, (_, i) => `name-${i}`);
  let hits = 0;
  for (let round = 0; round < 3; round++) {
    for (const name of names) {
      const q = query(name);
      const key = ReplyMemo.key(q);
      if (memo.get(key, q, 7, Date.now())) hits++;
      else memo.set(key, 7, Date.now(), false, Buffer.from(`reply ${name}`));
    }
  }
  t.is(memo.size, 100);
  // round-robin over 150 names: the first 100 kept hit in rounds two and three (dropping the oldest would hit none)
  t.is(hits, 200);
});

test('a full memo makes room from entries of an older index, and stays within its byte bound', (t) => {
  const memo = new ReplyMemo({ maxEntries: 10, maxBytes: 1000, maxAgeMs: 60_000 });
  for (let i = 0; i < 10; i++) memo.set(ReplyMemo.key(query(`a${i}`)), 1, Date.now(), false, Buffer.alloc(50));
  t.is(memo.size, 10);
  const fresh = query('b');
  memo.set(ReplyMemo.key(fresh), 2, Date.now(), false, Buffer.alloc(50));
  t.truthy(memo.get(ReplyMemo.key(fresh), fresh, 2, Date.now()));
  t.is(memo.size, 10);
  for (let i = 0; i < 40; i++) memo.set(ReplyMemo.key(query(`c${i}`)), 3, Date.now(), false, Buffer.alloc(200));
  t.true(memo.bytes <= 1000, `${memo.bytes} bytes kept`);
});

test('shuffled replies are kept per order, drawn at random, and an answer that carries the clock expires', (t) => {
  const memo = new ReplyMemo({ maxAgeMs: 1000 });
  const q = query('shuffled');
  const key = ReplyMemo.key(q);
  const built: number[] = [];
  const now = Date.now();
  t.true(
    memo.setShuffled(key, 1, now, true, ReplyMemo.orders(3), (k) => {
      built.push(k);
      return Buffer.from([0, 0, k]);
    }),
  );
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(memo.get(key, q, 1, now)![2]!);
  t.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
  t.deepEqual([...built].sort(), [0, 1, 2, 3, 4, 5], 'each order built once');
  t.is(memo.get(key, q, 1, now + 1000), undefined);
  t.is(ReplyMemo.orders(5), 0);
});
