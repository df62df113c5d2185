import test from 'ava';
import type { KvOp } from '../src/index.js';
import { MAX_TXN_OPS } from '../src/index.js';
import { Harness, b64, kvOf } from './_helpers.js';

/** a=1 (index 1), b=2 (index 2), tree/x, tree/y, and a key locked by session s1. */
function seeded(): Harness {
  const h = new Harness();
  h.set('a', '1');
  h.set('b', '2');
  h.set('tree/x', 'x');
  h.set('tree/y', 'y');
  h.agentNode('n1');
  h.session('s1', 'n1');
  h.kv({ Verb: 'lock', Key: 'locked', Value: b64('l'), Session: 's1' });
  return h;
}

const comparable = (h: Harness) => ({ ...h.store.snapshot(), index: 0 });

test('a successful txn applies every op at the same index and answers results with values blanked', (t) => {
  const h = seeded();
  const r = h.txn([
    { Verb: 'cas', Key: 'new', Value: b64('1'), Index: 0 },
    { Verb: 'set', Key: 'a', Value: b64('changed') },
    { Verb: 'get', Key: 'b' },
    { Verb: 'delete', Key: 'tree/x' },
  ]);
  t.is(r.Errors, null);
  t.deepEqual(r.Results, [
    { KV: { LockIndex: 0, Key: 'new', Flags: 0, Value: null, CreateIndex: h.index, ModifyIndex: h.index } },
    { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: null, CreateIndex: 1, ModifyIndex: h.index } },
    { KV: { LockIndex: 0, Key: 'b', Flags: 0, Value: b64('2'), CreateIndex: 2, ModifyIndex: 2 } },
  ]);
  t.is(h.get('new')?.Value, b64('1'), 'the store keeps the value even though the result blanks it');
  t.is(h.get('a')?.Value, b64('changed'));
  t.is(h.get('tree/x'), undefined);
});

test('get-tree results carry values', (t) => {
  const h = seeded();
  const r = h.txn([{ Verb: 'get-tree', Key: 'tree/' }]);
  t.deepEqual(
    r.Results?.map((x) => [kvOf(x)?.Key, kvOf(x)?.Value]),
    [
      ['tree/x', b64('x')],
      ['tree/y', b64('y')],
    ],
  );
});

test('check, lock and unlock verbs return entries with null values; delete verbs return none', (t) => {
  const h = seeded();
  h.session('s2', 'n1');
  const r = h.txn([
    { Verb: 'check-index', Key: 'a', Index: 1 },
    { Verb: 'check-session', Key: 'locked', Session: 's1' },
    { Verb: 'check-not-exists', Key: 'nope' },
    { Verb: 'lock', Key: 'mine', Value: b64('m'), Session: 's2' },
    { Verb: 'unlock', Key: 'locked', Value: b64('l'), Session: 's1' },
    { Verb: 'delete-cas', Key: 'b', Index: 2 },
    { Verb: 'delete-tree', Key: 'tree/' },
  ]);
  t.is(r.Errors, null);
  t.deepEqual(
    r.Results?.map((x) => [kvOf(x)?.Key, kvOf(x)?.Value]),
    [
      ['a', null],
      ['locked', null],
      ['mine', null],
      ['locked', null],
    ],
  );
  t.like(kvOf(r.Results?.[2]), { Session: 's2', LockIndex: 1 });
  t.deepEqual(h.store.kvKeys('').value, ['a', 'locked', 'mine']);
});

// Each failing op is placed after a write, so a failure must also roll that write back.
const failures: { title: string; op: KvOp; what: string }[] = [
  { title: 'a stale cas', op: { Verb: 'cas', Key: 'a', Value: b64('x'), Index: 99 }, what: 'failed to set key "a", index is stale' },
  { title: 'a cas=0 on an existing key', op: { Verb: 'cas', Key: 'a', Index: 0 }, what: 'failed to set key "a", index is stale' },
  {
    title: 'a lock held by another session',
    op: { Verb: 'lock', Key: 'locked', Session: 's2' },
    what: 'failed to lock key "locked", lock is already held',
  },
  { title: 'a lock with an unknown session', op: { Verb: 'lock', Key: 'a', Session: 'ghost' }, what: 'invalid session "ghost"' },
  {
    title: 'an unlock by a non-holder',
    op: { Verb: 'unlock', Key: 'locked', Session: 's2' },
    what: 'failed to unlock key "locked", lock isn\'t held, or is held by another session',
  },
  { title: 'a get of a missing key', op: { Verb: 'get', Key: 'nope' }, what: 'key "nope" doesn\'t exist' },
  {
    title: 'a check-index mismatch',
    op: { Verb: 'check-index', Key: 'a', Index: 4 },
    what: 'failed index check for key "a", current modify index 1 != 4',
  },
  {
    title: 'a check-index of a missing key',
    op: { Verb: 'check-index', Key: 'nope', Index: 4 },
    what: 'failed to check index, key "nope" doesn\'t exist',
  },
  {
    title: 'a check-session mismatch',
    op: { Verb: 'check-session', Key: 'a', Session: 's1' },
    what: 'failed session check for key "a", current session "" != "s1"',
  },
  {
    title: 'a check-session of a missing key',
    op: { Verb: 'check-session', Key: 'nope', Session: 's1' },
    what: 'failed to check session, key "nope" doesn\'t exist',
  },
  { title: 'a check-not-exists of an existing key', op: { Verb: 'check-not-exists', Key: 'a' }, what: 'key "a" exists' },
  { title: 'a stale delete-cas', op: { Verb: 'delete-cas', Key: 'a', Index: 7 }, what: 'failed to delete key "a", index is stale' },
  { title: 'an unknown verb', op: { Verb: 'nope' as 'get', Key: 'a' }, what: 'unknown KV verb "nope"' },
];

for (const row of failures) {
  test(`a txn with ${row.title} fails at that op with Consul's text and applies nothing`, (t) => {
    const h = seeded();
    h.session('s2', 'n1');
    const before = comparable(h);
    let woke = 0;
    h.store.watch(['kv:a', 'kv:b', 'kv:c', 'kv:locked', 'kvp:'], () => woke++);
    const r = h.txn([
      { Verb: 'set', Key: 'c', Value: b64('new') },
      { Verb: 'delete', Key: 'b' },
      { Verb: 'lock', Key: 'tree/x', Session: 's2' },
      row.op,
      { Verb: 'set', Key: 'after', Value: b64('never') },
    ]);
    t.deepEqual(r, { Results: null, Errors: [{ OpIndex: 3, What: row.what }] });
    t.deepEqual(comparable(h), before, 'state, tombstones, locks and indexes are rolled back');
    t.is(woke, 0, 'a rolled-back txn wakes no watcher');
  });
}

test('a txn with more than 128 ops is rejected without applying any of them', (t) => {
  const h = seeded();
  const before = comparable(h);
  const ops: KvOp[] = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => ({ Verb: 'set', Key: `k${i}`, Value: b64('v') }));
  const r = h.apply({ type: 'txn', ops });
  t.is(r.error?.code, 'STATE_INVALID_REQUEST');
  t.is(r.error?.message, 'Transaction contains too many operations (129 > 128)');
  t.deepEqual(comparable(h), before);
});

test('a txn with exactly 128 ops is applied', (t) => {
  const h = new Harness();
  const ops: KvOp[] = Array.from({ length: MAX_TXN_OPS }, (_, i) => ({ Verb: 'set', Key: `k${i}`, Value: b64('v') }));
  t.is(h.txn(ops).Errors, null);
  t.is(h.store.kvKeys('').value.length, 128);
});

test('ops in a txn see the writes of earlier ops', (t) => {
  const h = new Harness();
  const r = h.txn([
    { Verb: 'set', Key: 'k', Value: b64('1') },
    { Verb: 'check-index', Key: 'k', Index: 1 },
    { Verb: 'cas', Key: 'k', Value: b64('2'), Index: 1 },
    { Verb: 'get', Key: 'k' },
  ]);
  t.is(r.Errors, null);
  t.is(kvOf(r.Results?.[3])?.Value, b64('2'));
});

test('a read-only txn answers results without changing anything', (t) => {
  const h = seeded();
  const before = comparable(h);
  const r = h.store.txnRead([
    { Verb: 'get', Key: 'a' },
    { Verb: 'get-tree', Key: 'tree/' },
    { Verb: 'check-index', Key: 'b', Index: 2 },
  ]);
  t.is(r.value.Errors, null);
  t.deepEqual(
    r.value.Results?.map((x) => [kvOf(x)?.Key, kvOf(x)?.Value]),
    [
      ['a', b64('1')],
      ['tree/x', b64('x')],
      ['tree/y', b64('y')],
      ['b', null],
    ],
  );
  t.is(r.index, h.index);
  t.deepEqual(comparable(h), before);
});

test('a failing read-only txn reports the failing op', (t) => {
  const h = seeded();
  const r = h.store.txnRead([
    { Verb: 'get', Key: 'a' },
    { Verb: 'get', Key: 'nope' },
  ]);
  t.deepEqual(r.value, { Results: null, Errors: [{ OpIndex: 1, What: 'key "nope" doesn\'t exist' }] });
});

test('a txn lock is refused inside the lock-delay window', (t) => {
  const h = seeded();
  h.session('s2', 'n1');
  h.apply({ type: 'session-destroy', id: 's1', time: 10_000 });
  const r = h.apply({ type: 'txn', ops: [{ Verb: 'lock', Key: 'locked', Session: 's2' }], time: 10_001 });
  t.deepEqual(r.value, { Results: null, Errors: [{ OpIndex: 0, What: 'failed to lock key "locked" due to lock delay' }] });
  const ok = h.apply({ type: 'txn', ops: [{ Verb: 'lock', Key: 'locked', Session: 's2' }], time: 25_000 });
  t.like(ok.value, { Errors: null, Results: [{ KV: { LockIndex: 2, Session: 's2' } }] });
});

test('get-or-empty reads an existing key with its value, and answers a missing one with an empty entry', (t) => {
  const h = seeded();
  const r = h.store.txnRead([
    { Verb: 'get-or-empty', Key: 'a' },
    { Verb: 'get-or-empty', Key: 'nope', Flags: 3 },
  ]);
  t.is(r.value.Errors, null);
  t.deepEqual(r.value.Results, [
    { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: b64('1'), CreateIndex: 1, ModifyIndex: 1 } },
    { KV: { LockIndex: 0, Key: 'nope', Flags: 3, Value: null, CreateIndex: 0, ModifyIndex: 0 } },
  ]);
  t.is(h.get('nope'), undefined, 'nothing is written');
});
