import test from 'ava';
import { Harness, b64 } from './_helpers.js';

interface Row {
  title: string;
  /** Whether the key exists before the cas, written at some index M. */
  exists: boolean;
  /** The cas index, as a function of the key's ModifyIndex (0 when missing). */
  cas: (modifyIndex: number) => number;
  ok: boolean;
}

const rows: Row[] = [
  { title: 'cas=0 on a missing key creates it', exists: false, cas: () => 0, ok: true },
  { title: 'cas=0 on an existing key fails', exists: true, cas: () => 0, ok: false },
  { title: 'cas with the current ModifyIndex succeeds', exists: true, cas: (m) => m, ok: true },
  { title: 'cas with a stale ModifyIndex fails', exists: true, cas: (m) => m - 1, ok: false },
  { title: 'cas with a future ModifyIndex fails', exists: true, cas: (m) => m + 100, ok: false },
  { title: 'cas with a non-zero index on a missing key fails', exists: false, cas: () => 5, ok: false },
];

for (const row of rows) {
  test(row.title, (t) => {
    const h = new Harness();
    h.set('pad', 'p');
    h.set('pad', 'q');
    if (row.exists) h.set('k', 'old');
    const before = h.get('k');
    const tableBefore = h.store.kvGet('k').index;
    const r = h.kv({ Verb: 'cas', Key: 'k', Value: b64('new'), Index: row.cas(before?.ModifyIndex ?? 0) });
    t.is(r.value, row.ok);
    t.is(r.error, undefined);
    if (row.ok) {
      t.like(h.get('k'), { Value: b64('new'), ModifyIndex: h.index, CreateIndex: before?.CreateIndex ?? h.index });
      t.is(h.store.kvGet('k').index, h.index);
    } else {
      t.deepEqual(h.get('k'), before, 'value and ModifyIndex unchanged');
      t.is(h.store.kvGet('k').index, tableBefore, 'table index unchanged');
    }
  });
}

test('a second cas with the same index fails after the first one won', (t) => {
  const h = new Harness();
  const { index } = h.set('k', 'v0');
  t.is(h.kv({ Verb: 'cas', Key: 'k', Value: b64('v1'), Index: index }).value, true);
  t.is(h.kv({ Verb: 'cas', Key: 'k', Value: b64('v2'), Index: index }).value, false);
  t.is(h.get('k')?.Value, b64('v1'));
});

test('cas keeps the lock holder of a locked key', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('s1', 'n1');
  h.kv({ Verb: 'lock', Key: 'k', Value: b64('a'), Session: 's1' });
  const m = h.get('k')?.ModifyIndex ?? 0;
  t.is(h.kv({ Verb: 'cas', Key: 'k', Value: b64('b'), Index: m }).value, true);
  t.like(h.get('k'), { Session: 's1', LockIndex: 1, Value: b64('b') });
});
