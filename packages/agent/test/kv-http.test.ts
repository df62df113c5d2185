import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

interface Entry {
  Key: string;
  Value: string | null;
  Flags: number;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
  Session?: string;
}

async function entry(key: string): Promise<Entry> {
  const r = await call(agent, 'GET', `/v1/kv/${key}`);
  if (r.status !== 200) throw new Error(`GET ${key}: ${r.status} ${r.text}`);
  return r.json<Entry[]>()[0] as Entry;
}

/** A KV write through the raw API; the literal body (`true`/`false`). node-consul 2.x resolves `false` as undefined. */
async function put(path: string, body = 'v'): Promise<string> {
  const r = await call(agent, 'PUT', `/v1/kv/${path}`, body);
  if (r.status !== 200) throw new Error(`PUT ${path}: ${r.status} ${r.text}`);
  return r.text;
}

async function del(path: string): Promise<string> {
  const r = await call(agent, 'DELETE', `/v1/kv/${path}`);
  if (r.status !== 200) throw new Error(`DELETE ${path}: ${r.status} ${r.text}`);
  return r.text;
}

async function session(lockDelay = '15s'): Promise<string> {
  const r = await call(agent, 'PUT', '/v1/session/create', { LockDelay: lockDelay });
  if (r.status !== 200) throw new Error(`session create: ${r.status} ${r.text}`);
  return r.json<{ ID: string }>().ID;
}

// Serial tests run before the concurrent ones, so the store is still empty here.
test.serial('an empty store lists no keys at the root and has nothing to recurse into', async (t) => {
  const keys = await call(agent, 'GET', '/v1/kv/?keys');
  t.is(keys.status, 200);
  t.deepEqual(keys.json(), []);
  const rec = await call(agent, 'GET', '/v1/kv/?recurse');
  t.is(rec.status, 404);
  t.is(rec.text, '');
});

test('a put answers true and the get returns a one-element array with the value in base64', async (t) => {
  t.true(await consul.kv.set('basic/a', 'x'));
  const r = await call(agent, 'GET', '/v1/kv/basic/a');
  t.is(r.status, 200);
  t.regex(r.headers.get('content-type') ?? '', /application\/json/);
  const body = r.json<Entry[]>();
  t.is(body.length, 1);
  const e = body[0] as Entry;
  t.is(e.Key, 'basic/a');
  t.is(e.Value, 'eA==');
  t.is(e.Flags, 0);
  t.is(e.LockIndex, 0);
  t.is(e.CreateIndex, e.ModifyIndex);
  t.false('Session' in e);
  const viaClient = await consul.kv.get('basic/a');
  t.is(viaClient?.Value, 'x');
});

test('flags are stored and returned as given', async (t) => {
  t.true(await consul.kv.set({ key: 'flags/a', value: 'v', flags: 42 }));
  t.is((await entry('flags/a')).Flags, 42);
  const bad = await call(agent, 'PUT', '/v1/kv/flags/c?flags=-1', 'v');
  t.is(bad.status, 400);
  t.is((await call(agent, 'GET', '/v1/kv/flags/c')).status, 404);
});

test('a missing key is a 404 with an empty body and the X-Consul headers', async (t) => {
  const r = await call(agent, 'GET', '/v1/kv/missing/nothing-here');
  t.is(r.status, 404);
  t.is(r.text, '');
  const index = r.headers.get('x-consul-index');
  t.truthy(index);
  t.true(Number(index) >= 1);
  t.is(r.headers.get('x-consul-knownleader'), 'true');
  t.regex(r.headers.get('x-consul-lastcontact') ?? '', /^\d+$/);
  t.is((await consul.kv.get('missing/nothing-here')) as unknown, undefined);
});

test('cas=0 refuses to overwrite, cas=<current> writes and bumps ModifyIndex, a stale cas fails', async (t) => {
  t.true(await consul.kv.set('cas/a', 'one'));
  const first = await entry('cas/a');
  t.is(await put('cas/a?cas=0', 'two'), 'false');
  t.not(await consul.kv.set({ key: 'cas/a', value: 'two', cas: 0 }), true);
  t.deepEqual(await entry('cas/a'), first);
  t.true(await consul.kv.set({ key: 'cas/a', value: 'three', cas: first.ModifyIndex }));
  const second = await entry('cas/a');
  t.true(second.ModifyIndex > first.ModifyIndex);
  t.is(second.CreateIndex, first.CreateIndex);
  t.is(Buffer.from(second.Value ?? '', 'base64').toString(), 'three');
  t.is(await put(`cas/a?cas=${first.ModifyIndex}`, 'four'), 'false');
  t.deepEqual(await entry('cas/a'), second);
  t.true(await consul.kv.set({ key: 'cas/new', value: 'n', cas: 0 }));
  t.is(await put('cas/missing?cas=12345', 'n'), 'false');
  t.is((await call(agent, 'GET', '/v1/kv/cas/missing')).status, 404);
});

test('cas, acquire and release are exclusive: combining them is a 400', async (t) => {
  const both = await call(agent, 'PUT', '/v1/kv/conflict/a?cas=5&acquire=s', 'v');
  t.is(both.status, 400);
  t.regex(both.text, /^Conflicting flags: /);
  const rel = await call(agent, 'PUT', '/v1/kv/conflict/a?acquire=s&release=s', 'v');
  t.is(rel.status, 400);
  const del = await call(agent, 'DELETE', '/v1/kv/conflict/?recurse&cas=1');
  t.is(del.status, 400);
  t.regex(del.text, /^Conflicting flags: /);
  t.is((await call(agent, 'GET', '/v1/kv/conflict/a')).status, 404);
});

test('acquire locks a key for one session; release by the holder keeps LockIndex and clears Session', async (t) => {
  const a = await session();
  const b = await session();
  t.true(await consul.kv.set({ key: 'lock/a', value: 'held', acquire: a }));
  let e = await entry('lock/a');
  t.is(e.LockIndex, 1);
  t.is(e.Session, a);
  t.is(await put(`lock/a?acquire=${b}`, 'steal'), 'false');
  t.true(await consul.kv.set({ key: 'lock/a', value: 'again', acquire: a }), 'the holder may re-acquire');
  e = await entry('lock/a');
  t.is(e.LockIndex, 1);
  t.is(Buffer.from(e.Value ?? '', 'base64').toString(), 'again');
  t.is(await put(`lock/a?release=${b}`, 'x'), 'false');
  // A plain put overwrites a locked key and keeps its session.
  t.true(await consul.kv.set('lock/a', 'plain'));
  t.is((await entry('lock/a')).Session, a);
  t.true(await consul.kv.set({ key: 'lock/a', value: 'done', release: a }));
  e = await entry('lock/a');
  t.is(e.LockIndex, 1);
  t.false('Session' in e);
  t.is(await put(`lock/missing?release=${a}`, 'x'), 'false');
  // No lock-delay after a release: the other session acquires at once.
  t.true(await consul.kv.set({ key: 'lock/a', value: 'b', acquire: b }));
  t.is((await entry('lock/a')).LockIndex, 2);
});

test('acquire with an unknown session is a 500 naming the session', async (t) => {
  const r = await call(agent, 'PUT', '/v1/kv/lock/unknown?acquire=00000000-0000-0000-0000-000000000000', 'v');
  t.is(r.status, 500);
  t.regex(r.text, /invalid session/i);
  t.is((await call(agent, 'GET', '/v1/kv/lock/unknown')).status, 404);
});

test('delete answers true even for a missing key; recurse deletes the whole string prefix', async (t) => {
  t.true(await consul.kv.del('del/never-existed'));
  for (const k of ['del/p', 'del/p/x', 'del/p/y/z', 'del/pq', 'del/other']) t.true(await consul.kv.set(k, 'v'));
  t.true(await consul.kv.del({ key: 'del/p', recurse: true }));
  t.deepEqual(await consul.kv.keys('del/'), ['del/other']);
  t.is(await del('del/other'), 'true');
  t.is((await call(agent, 'GET', '/v1/kv/del/?recurse')).status, 404);
});

test('a cas delete only removes the key at the given ModifyIndex', async (t) => {
  t.true(await consul.kv.set('delcas/a', 'v'));
  const e = await entry('delcas/a');
  t.is(await del(`delcas/a?cas=${e.ModifyIndex + 1000}`), 'false');
  t.is(await del('delcas/a?cas=0'), 'false');
  t.deepEqual(await entry('delcas/a'), e);
  t.true(await consul.kv.del({ key: 'delcas/a', cas: e.ModifyIndex }));
  t.is((await call(agent, 'GET', '/v1/kv/delcas/a')).status, 404);
  // Consul quirk: a cas delete of a missing key succeeds.
  t.is(await del('delcas/missing?cas=7'), 'true');
});

test('keys with a separator collapse sub-folders and are sorted; an empty prefix is a 404', async (t) => {
  for (const k of ['web/subdir/a', 'web/foo', 'web/subdir/b', 'web/bar', 'webx']) t.true(await consul.kv.set(k, '1'));
  const r = await call(agent, 'GET', '/v1/kv/web/?keys&separator=/');
  t.is(r.status, 200);
  t.deepEqual(r.json(), ['web/bar', 'web/foo', 'web/subdir/']);
  t.deepEqual(await consul.kv.keys({ key: 'web/', separator: '/' }), ['web/bar', 'web/foo', 'web/subdir/']);
  t.deepEqual(await consul.kv.keys('web'), ['web/bar', 'web/foo', 'web/subdir/a', 'web/subdir/b', 'webx']);
  const misspelt = await call(agent, 'GET', '/v1/kv/web/?keys&seperator=/');
  t.deepEqual(misspelt.json(), ['web/bar', 'web/foo', 'web/subdir/']);
  const none = await call(agent, 'GET', '/v1/kv/nothing-under-here/?keys');
  t.is(none.status, 404);
  t.is(none.text, '');
});

test('recurse lists entries sorted by key and is a presence flag (?recurse=false still recurses)', async (t) => {
  for (const k of ['rec/c', 'rec/a', 'rec/b/1']) t.true(await consul.kv.set(k, k));
  const r = await call(agent, 'GET', '/v1/kv/rec/?recurse=false');
  t.is(r.status, 200);
  t.deepEqual(
    r.json<Entry[]>().map((e) => e.Key),
    ['rec/a', 'rec/b/1', 'rec/c'],
  );
  const viaClient = (await consul.kv.get({ key: 'rec/', recurse: true })) as Entry[];
  t.deepEqual(
    viaClient.map((e) => e.Value),
    ['rec/a', 'rec/b/1', 'rec/c'],
  );
});

test('raw returns the exact bytes as text/plain with nosniff and sandbox; an empty value is null', async (t) => {
  const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x3c]);
  t.is((await call(agent, 'PUT', '/v1/kv/raw/bin', bytes)).text, 'true');
  const res = await fetch(`${agent.base}/v1/kv/raw/bin?raw`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'text/plain');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  t.is(res.headers.get('content-security-policy'), 'sandbox');
  t.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  t.true(await consul.kv.set('raw/empty', ''));
  t.is((await entry('raw/empty')).Value, null);
  const rawEmpty = await call(agent, 'GET', '/v1/kv/raw/empty?raw');
  t.is(rawEmpty.status, 200);
  t.is(rawEmpty.text, '');
});

test('a value of exactly 524288 bytes is accepted and one byte more is a 413', async (t) => {
  const max = Buffer.alloc(524288, 0x61);
  const ok = await call(agent, 'PUT', '/v1/kv/size/max', max);
  t.is(ok.status, 200);
  t.is(ok.text, 'true');
  const big = await call(agent, 'PUT', '/v1/kv/size/over', Buffer.alloc(524289, 0x61));
  t.is(big.status, 413);
  t.regex(big.text, /too large, max size: 524288 bytes/);
  t.is((await call(agent, 'GET', '/v1/kv/size/over')).status, 404);
  const raw = await fetch(`${agent.base}/v1/kv/size/max?raw`);
  t.is((await raw.arrayBuffer()).byteLength, 524288);
});

test('an empty key without recurse or keys is a 400 Missing key name', async (t) => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const r = await call(agent, method, '/v1/kv/', method === 'PUT' ? 'v' : undefined);
    t.is(r.status, 400, method);
    t.is(r.text, 'Missing key name', method);
  }
});

test('writing the same value and flags again answers true without bumping ModifyIndex', async (t) => {
  t.true(await consul.kv.set('same/a', 'v'));
  const before = await entry('same/a');
  t.true(await consul.kv.set('same/a', 'v'));
  t.deepEqual(await entry('same/a'), before);
  t.true(await consul.kv.set({ key: 'same/a', value: 'v', flags: 1 }));
  t.true((await entry('same/a')).ModifyIndex > before.ModifyIndex);
});

test('keys are escaped like Go encoding/json and round-trip percent-encoded characters', async (t) => {
  t.true(await consul.kv.set('esc/a<b>&c', 'v'));
  const r = await call(agent, 'GET', `/v1/kv/${encodeURIComponent('esc/a<b>&c')}`);
  t.is(r.status, 200);
  t.true(r.text.includes('esc/a\\u003cb\\u003e\\u0026c'), r.text);
  t.is(r.json<Entry[]>()[0]?.Key, 'esc/a<b>&c');
  t.true(await consul.kv.set('esc/space and ünïcode', 'v'));
  t.deepEqual(await consul.kv.keys('esc/space'), ['esc/space and ünïcode']);
});
