import test from 'ava';
import { Harness, b64 } from './_helpers.js';

test('a plain set always answers true and overwrites the value, keeping CreateIndex', (t) => {
  const h = new Harness();
  const { index: created } = h.set('k', 'one');
  const { result, index } = h.set('k', 'two', 7);
  t.is(result.value, true);
  t.like(h.get('k'), { Value: b64('two'), Flags: 7, CreateIndex: created, ModifyIndex: index });
});

test('writing an identical value and flags does not bump ModifyIndex or the table index', (t) => {
  const h = new Harness();
  const { index } = h.set('k', 'same', 3);
  h.set('other', 'x');
  const tableBefore = h.store.kvGet('k').index;
  const { result } = h.set('k', 'same', 3);
  t.is(result.value, true);
  t.is(h.get('k')?.ModifyIndex, index);
  t.is(h.store.kvGet('k').index, tableBefore);
});

const changes: { title: string; value: string; flags: number }[] = [
  { title: 'a different value', value: 'other', flags: 3 },
  { title: 'different flags', value: 'same', flags: 4 },
];
for (const c of changes) {
  test(`writing ${c.title} bumps ModifyIndex`, (t) => {
    const h = new Harness();
    h.set('k', 'same', 3);
    const { index } = h.set('k', c.value, c.flags);
    t.is(h.get('k')?.ModifyIndex, index);
  });
}

test('a plain set on a locked key overwrites it and keeps the lock holder and LockIndex', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('s1', 'n1');
  t.is(h.kv({ Verb: 'lock', Key: 'k', Value: b64('held'), Session: 's1' }).value, true);
  t.is(h.set('k', 'overwritten').result.value, true);
  t.like(h.get('k'), { Value: b64('overwritten'), Session: 's1', LockIndex: 1, ModifyIndex: h.index });
});

test('a key that is written again after a delete gets a fresh CreateIndex', (t) => {
  const h = new Harness();
  h.set('k', '1');
  h.kv({ Verb: 'delete', Key: 'k' });
  const { index } = h.set('k', '2');
  t.like(h.get('k'), { CreateIndex: index, ModifyIndex: index, LockIndex: 0 });
});

test('an unknown KV verb is rejected as an invalid request and changes nothing', (t) => {
  const h = new Harness();
  h.set('k', '1');
  const before = h.store.snapshot();
  const r = h.kv({ Verb: 'frobnicate' as 'set', Key: 'k' });
  t.is(r.error?.code, 'STATE_INVALID_REQUEST');
  t.deepEqual({ ...h.store.snapshot(), index: 0 }, { ...before, index: 0 });
});
