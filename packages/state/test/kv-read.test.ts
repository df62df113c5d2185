import test from 'ava';
import { Harness, text } from './_helpers.js';

function seeded(): Harness {
  const h = new Harness();
  for (const k of ['web/bar', 'web/foo', 'web/sub/a', 'web/sub/b', 'web/sub/deeper/c', 'webx', 'other/z']) h.set(k, k);
  return h;
}

test('a written key reads back with its value, flags 0, lock index 0 and equal create and modify indexes', (t) => {
  const h = new Harness();
  const { index, result } = h.set('a', 'x');
  t.is(result.value, true);
  const e = h.get('a');
  t.deepEqual(e, { LockIndex: 0, Key: 'a', Flags: 0, Value: 'eA==', CreateIndex: index, ModifyIndex: index });
  t.false('Session' in (e ?? {}), 'Session is omitted when no lock is held');
});

test('an empty value is stored as null', (t) => {
  const h = new Harness();
  h.kv({ Verb: 'set', Key: 'empty', Value: '' });
  h.kv({ Verb: 'set', Key: 'absent' });
  t.is(h.get('empty')?.Value, null);
  t.is(h.get('absent')?.Value, null);
});

test('flags given on a put are stored', (t) => {
  const h = new Harness();
  h.set('f', 'v', 42);
  t.is(h.get('f')?.Flags, 42);
});

test('a missing key reads as undefined, with the table index', (t) => {
  const h = seeded();
  const r = h.store.kvGet('missing');
  t.is(r.value, undefined);
  t.is(r.index, h.index);
});

test("the index of a single-key read is that key's ModifyIndex, as Consul's KVS.Get answers", (t) => {
  const h = new Harness();
  const { index: aIndex } = h.set('a', '1');
  h.set('b', '2');
  const r = h.store.kvGet('a');
  t.is(r.value?.ModifyIndex, aIndex);
  t.is(r.index, aIndex, 'a later write to another key does not move it');
  t.true(h.index > aIndex);
  h.kv({ Verb: 'delete', Key: 'b' });
  t.is(h.store.kvGet('a').index, aIndex, 'nor does deleting another key');
  const { index: again } = h.set('a', '3');
  t.is(h.store.kvGet('a').index, again);
  h.kv({ Verb: 'delete', Key: 'a' });
  const gone = h.store.kvGet('a');
  t.is(gone.value, undefined);
  t.is(gone.index, h.index, 'once deleted, the table index, which is past the old ModifyIndex');
  t.true(gone.index > again);
});

test('a recursive list returns every key under the prefix, sorted, including greedy matches', (t) => {
  const h = seeded();
  t.deepEqual(
    h.store.kvList('web').value.map((e) => e.Key),
    ['web/bar', 'web/foo', 'web/sub/a', 'web/sub/b', 'web/sub/deeper/c', 'webx'],
  );
  t.deepEqual(
    h.store.kvList('web/sub/').value.map((e) => text(e.Value)),
    ['web/sub/a', 'web/sub/b', 'web/sub/deeper/c'],
  );
  t.deepEqual(h.store.kvList('nothing/').value, []);
  t.is(h.store.kvList('').value.length, 7);
});

test('the list index is the highest ModifyIndex under the prefix', (t) => {
  const h = new Harness();
  const { index: a } = h.set('p/a', '1');
  const { index: b } = h.set('p/b', '1');
  h.set('q/c', '1');
  t.is(h.store.kvList('p/').index, b);
  t.is(h.store.kvKeys('p/').index, b);
  h.set('p/a', '2');
  t.is(h.store.kvList('p/').index, h.index);
  t.true(a < b);
});

test('a list of a prefix with no keys has the table index', (t) => {
  const h = seeded();
  t.is(h.store.kvList('nothing/').index, h.index);
  t.is(h.store.kvKeys('nothing/').index, h.index);
});

const keyTable: { title: string; prefix: string; separator: string; expect: string[] }[] = [
  {
    title: 'keys with a separator fold sub-folders to web/sub/',
    prefix: 'web/',
    separator: '/',
    expect: ['web/bar', 'web/foo', 'web/sub/'],
  },
  {
    title: 'keys without a separator list every key under the prefix',
    prefix: 'web/',
    separator: '',
    expect: ['web/bar', 'web/foo', 'web/sub/a', 'web/sub/b', 'web/sub/deeper/c'],
  },
  { title: 'keys at the root with a separator fold top-level folders', prefix: '', separator: '/', expect: ['other/', 'web/', 'webx'] },
  {
    title: 'keys fold after the first separator that follows the prefix',
    prefix: 'web/sub/',
    separator: '/',
    expect: ['web/sub/a', 'web/sub/b', 'web/sub/deeper/'],
  },
  { title: 'keys of a prefix that matches nothing are empty', prefix: 'zzz/', separator: '/', expect: [] },
  { title: 'keys fold on a multi-character separator', prefix: 'web/', separator: 'b/', expect: ['web/bar', 'web/foo', 'web/sub/'] },
];

for (const row of keyTable) {
  test(row.title, (t) => {
    t.deepEqual(seeded().store.kvKeys(row.prefix, row.separator).value, row.expect);
  });
}

test('keys on an empty store are empty', (t) => {
  const h = new Harness();
  t.deepEqual(h.store.kvKeys('', '/').value, []);
  t.deepEqual(h.store.kvList('').value, []);
});

test('values are base64 in and base64 out', (t) => {
  const h = new Harness();
  h.kv({ Verb: 'set', Key: 'bin', Value: Buffer.from([0, 255, 1]).toString('base64') });
  t.deepEqual([...Buffer.from(h.get('bin')?.Value ?? '', 'base64')], [0, 255, 1]);
  t.is(h.get('bin')?.Value, 'AP8B');
});
