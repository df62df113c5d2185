import { testWithAgent, uniqueName } from './_agent.js';

// The index of a single-key read is the whole KV table's, so the blocking
// tests run serially (before the others) to see only their own writes.
const test = testWithAgent();

test('put then get returns the value with equal create and modify indexes', async (t) => {
  const { api } = t.context;
  const key = uniqueName('kv');
  t.true(await api.kv.put(key, 'x'));
  const { value, meta } = await api.kv.get(key);
  t.is(value?.Key, key);
  t.is(value?.Value?.toString(), 'x');
  t.is(value?.Flags, 0);
  t.is(value?.LockIndex, 0);
  t.is(value?.CreateIndex, value?.ModifyIndex);
  t.true(meta.index >= (value?.ModifyIndex ?? 0));
  t.true(meta.knownLeader);
});

test('a missing key is undefined with a non-zero index', async (t) => {
  const { value, meta } = await t.context.api.kv.get(uniqueName('missing'));
  t.is(value, undefined);
  t.true(meta.index > 0);
});

test('cas writes only against the current modify index', async (t) => {
  const { api } = t.context;
  const key = uniqueName('cas');
  t.true(await api.kv.put(key, 'one', { cas: 0 }));
  t.false(await api.kv.put(key, 'again', { cas: 0 }));
  const first = (await api.kv.get(key)).value;
  t.true(await api.kv.put(key, 'two', { cas: first?.ModifyIndex ?? -1 }));
  t.false(await api.kv.put(key, 'three', { cas: first?.ModifyIndex ?? -1 }));
  t.is((await api.kv.get(key)).value?.Value?.toString(), 'two');
});

test('list, keys with a separator and raw read what was written', async (t) => {
  const { api } = t.context;
  const prefix = uniqueName('tree');
  await api.kv.put(`${prefix}/a`, '1', { flags: 5 });
  await api.kv.put(`${prefix}/sub/b`, '2');
  await api.kv.put(`${prefix}/sub/c`, '');
  const list = (await api.kv.list(`${prefix}/`)).value;
  t.deepEqual(
    list.map((p) => p.Key),
    [`${prefix}/a`, `${prefix}/sub/b`, `${prefix}/sub/c`],
  );
  t.is(list[0]?.Flags, 5);
  t.is(list[2]?.Value, null);
  t.deepEqual((await api.kv.keys(`${prefix}/`, { separator: '/' })).value, [`${prefix}/a`, `${prefix}/sub/`]);
  t.is((await api.kv.raw(`${prefix}/sub/b`)).value?.toString(), '2');
});

test('delete with recurse removes the prefix, and a cas delete needs the current index', async (t) => {
  const { api } = t.context;
  const prefix = uniqueName('del');
  await api.kv.put(`${prefix}/a`, '1');
  await api.kv.put(`${prefix}/b`, '2');
  const b = (await api.kv.get(`${prefix}/b`)).value;
  t.false(await api.kv.delete(`${prefix}/b`, { cas: (b?.ModifyIndex ?? 0) + 100 }));
  t.true(await api.kv.delete(`${prefix}/b`, { cas: b?.ModifyIndex ?? 0 }));
  t.true(await api.kv.delete(prefix, { recurse: true }));
  t.deepEqual((await api.kv.list(prefix)).value, []);
});

test.serial('a blocking get returns as soon as the key changes, with a higher index', async (t) => {
  const { api } = t.context;
  const key = uniqueName('block');
  await api.kv.put(key, 'before');
  const { meta } = await api.kv.get(key);
  const started = Date.now();
  const pending = api.kv.get(key, { index: meta.index, wait: '10s' });
  setTimeout(() => void api.kv.put(key, 'after'), 300);
  const res = await pending;
  t.true(Date.now() - started < 5000);
  t.true(res.meta.index > meta.index);
  t.is(res.value?.Value?.toString(), 'after');
});

test.serial('a blocking get without changes answers after the wait with the same index', async (t) => {
  const { api } = t.context;
  const key = uniqueName('idle');
  await api.kv.put(key, 'v');
  const { meta } = await api.kv.get(key);
  const started = Date.now();
  const res = await api.kv.get(key, { index: meta.index, wait: 1000 });
  const took = Date.now() - started;
  t.true(took >= 900 && took < 4000, `took ${took} ms`);
  t.is(res.meta.index, meta.index);
});

test('a transaction applies all operations or none', async (t) => {
  const { api } = t.context;
  const a = uniqueName('txa');
  const b = uniqueName('txb');
  const ok = await api.txn([{ KV: { Verb: 'set', Key: a, Value: 'A' } }, { KV: { Verb: 'set', Key: b, Value: 'B' } }, { KV: { Verb: 'get', Key: a } }]);
  t.true(ok.ok);
  const got = ok.results.find((r) => 'KV' in r && r.KV.Key === a && r.KV.Value !== null);
  t.is(got && 'KV' in got ? got.KV.Value?.toString() : undefined, 'A');
  const failed = await api.txn([{ KV: { Verb: 'set', Key: a, Value: 'changed' } }, { KV: { Verb: 'cas', Key: b, Value: 'x', Index: 1 } }]);
  t.false(failed.ok);
  t.is(failed.errors[0]?.OpIndex, 1);
  t.is((await api.kv.get(a)).value?.Value?.toString(), 'A');
});
