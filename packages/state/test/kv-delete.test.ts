import test from 'ava';
import { Harness } from './_helpers.js';

const keysOf = (h: Harness) => h.store.kvKeys('').value;

test('deleting a key removes it and answers true', (t) => {
  const h = new Harness();
  h.set('a', '1');
  h.set('ab', '1');
  t.is(h.kv({ Verb: 'delete', Key: 'a' }).value, true);
  t.deepEqual(keysOf(h), ['ab'], 'a plain delete is exact, not a prefix delete');
});

test('deleting a key that never existed answers true and does not move the table index', (t) => {
  const h = new Harness();
  h.set('x', '1');
  const before = h.store.kvGet('x').index;
  t.is(h.kv({ Verb: 'delete', Key: 'never' }).value, true);
  t.is(h.store.kvGet('x').index, before);
});

const casRows: { title: string; exists: boolean; cas: (m: number) => number; result: boolean; deleted: boolean }[] = [
  { title: 'delete-cas with the current ModifyIndex deletes', exists: true, cas: (m) => m, result: true, deleted: true },
  { title: 'delete-cas with a stale index fails and keeps the key', exists: true, cas: (m) => m - 1, result: false, deleted: false },
  { title: 'delete-cas with index 0 never deletes an existing key', exists: true, cas: () => 0, result: false, deleted: false },
  { title: 'delete-cas of a missing key answers true (Consul quirk)', exists: false, cas: () => 17, result: true, deleted: true },
];
for (const row of casRows) {
  test(row.title, (t) => {
    const h = new Harness();
    h.set('pad', '1');
    if (row.exists) h.set('k', 'v');
    const m = h.get('k')?.ModifyIndex ?? 0;
    t.is(h.kv({ Verb: 'delete-cas', Key: 'k', Index: row.cas(m) }).value, row.result);
    t.is(h.get('k') === undefined, row.deleted);
  });
}

const treeRows: { title: string; prefix: string; left: string[] }[] = [
  { title: 'delete-tree is a greedy string prefix: p deletes p, p/x and pq', prefix: 'p', left: ['o', 'q'] },
  { title: 'delete-tree of p/ keeps p and pq', prefix: 'p/', left: ['o', 'p', 'pq', 'q'] },
  { title: 'delete-tree of the empty prefix deletes everything', prefix: '', left: [] },
  { title: 'delete-tree of a prefix with no keys deletes nothing', prefix: 'zz', left: ['o', 'p', 'p/x', 'p/y/z', 'pq', 'q'] },
];
for (const row of treeRows) {
  test(row.title, (t) => {
    const h = new Harness();
    for (const k of ['o', 'p', 'p/x', 'p/y/z', 'pq', 'q']) h.set(k, k);
    t.is(h.kv({ Verb: 'delete-tree', Key: row.prefix }).value, true);
    t.deepEqual(keysOf(h), row.left);
  });
}

test('deleting the highest-index key under a prefix does not move the list index backwards', (t) => {
  const h = new Harness();
  h.set('p/a', '1');
  h.set('p/b', '1');
  const before = h.store.kvList('p/').index;
  h.set('other', '1');
  h.kv({ Verb: 'delete', Key: 'p/b' });
  const del = h.index;
  t.is(h.store.kvList('p/').index, del);
  t.is(h.store.kvKeys('p/').index, del);
  t.true(h.store.kvList('p/').index > before);
  t.is(h.store.tombstoneCount(), 1);
});

test('a prefix whose keys were all deleted keeps the delete index until the tombstones are reaped', (t) => {
  const h = new Harness();
  h.set('p/a', '1');
  h.kv({ Verb: 'delete-tree', Key: 'p/' });
  const del = h.index;
  h.set('zzz', '1');
  t.is(h.store.kvList('p/').index, del, 'the tombstone keeps the prefix index');
  t.deepEqual(h.store.kvList('p/').value, []);
});

test('tombstone-reap drops tombstones at or below the given index and no others', (t) => {
  const h = new Harness();
  h.set('p/a', '1');
  h.set('p/b', '1');
  h.set('p/c', '1');
  h.kv({ Verb: 'delete', Key: 'p/c' });
  const first = h.index;
  h.kv({ Verb: 'delete', Key: 'p/b' });
  const second = h.index;
  t.is(h.store.tombstoneCount(), 2);
  t.is(h.store.kvList('p/').index, second);
  const r = h.apply({ type: 'tombstone-reap', upTo: first });
  t.is(r.value, 1);
  t.is(h.store.tombstoneCount(), 1);
  t.is(h.store.kvList('p/').index, second);
  h.apply({ type: 'tombstone-reap', upTo: second });
  t.is(h.store.tombstoneCount(), 0);
  t.is(h.store.kvList('p/').index, h.store.kvList('p/').value[0]?.ModifyIndex, "after reaping, the index is the live keys' max again");
});

test('re-creating a deleted key removes its tombstone', (t) => {
  const h = new Harness();
  h.set('k', '1');
  h.kv({ Verb: 'delete', Key: 'k' });
  t.is(h.store.tombstoneCount(), 1);
  h.set('k', '2');
  t.is(h.store.tombstoneCount(), 0);
});

test('deleting a locked key clears the lock so its session holds nothing', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('s', 'n1', { Behavior: 'delete' });
  h.kv({ Verb: 'lock', Key: 'k', Session: 's' });
  h.kv({ Verb: 'delete', Key: 'k' });
  h.set('k', 'again');
  h.apply({ type: 'session-destroy', id: 's' });
  t.truthy(h.get('k'), 'destroying the delete-behaviour session does not delete a key it no longer holds');
  t.is(h.store.lockDelayUntil('k'), undefined);
});

test('a list of the whole store keeps the table index after the tombstones are reaped', (t) => {
  const h = new Harness();
  h.set('a', '1');
  h.set('z', '1');
  h.kv({ Verb: 'delete', Key: 'z' });
  const del = h.index;
  h.apply({ type: 'tombstone-reap', upTo: del });
  t.is(h.store.tombstoneCount(), 0);
  t.is(h.store.kvList('').index, del);
  t.is(h.store.kvKeys('').index, del);
});
