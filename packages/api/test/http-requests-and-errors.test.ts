import test from 'ava';
import { ApiError, ConsulApi } from '../src/index.js';
import { startFakeAgent } from './_fake-agent.js';
import { type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

test('a non-2xx answer throws ApiError with status, body and the Go client message', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = () => ({ status: 500, body: 'No cluster leader' });
  const api = new ConsulApi({ address: fake.address });
  const err = await t.throwsAsync(api.catalog.nodes(), { instanceOf: ApiError });
  t.is(err?.status, 500);
  t.is(err?.body, 'No cluster leader');
  t.is(err?.message, 'Unexpected response code: 500 (No cluster leader)');
});

test('a missing KV key is undefined, not an error, and still carries the index headers', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = () => ({
    status: 404,
    headers: { 'X-Consul-Index': '17', 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '3' },
  });
  const api = new ConsulApi({ address: fake.address });
  const res = await api.kv.get('nope');
  t.is(res.value, undefined);
  t.deepEqual(res.meta, { index: 17, knownLeader: true, lastContact: 3 });
  t.deepEqual((await api.kv.list('nope/')).value, []);
  t.deepEqual((await api.kv.keys('nope/')).value, []);
  t.is((await api.kv.raw('nope')).value, undefined);
});

test('a KV entry is decoded from base64, and an empty value is null', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = (req) => ({
    headers: { 'Content-Type': 'application/json', 'X-Consul-Index': '9' },
    body: JSON.stringify([
      { Key: req.url.pathname.slice('/v1/kv/'.length), Flags: 4, Value: req.url.pathname.endsWith('e') ? null : 'eA==', CreateIndex: 8, ModifyIndex: 9, LockIndex: 0 },
    ]),
  });
  const api = new ConsulApi({ address: fake.address });
  const { value, meta } = await api.kv.get('a');
  t.is(value?.Value?.toString(), 'x');
  t.is(value?.Flags, 4);
  t.is(meta.index, 9);
  t.is((await api.kv.get('empty-value')).value?.Value, null);
});

test('blocking options are sent as index and wait in milliseconds, capped at 270 s', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = () => ({ body: '[]', headers: { 'X-Consul-Index': '6' } });
  const api = new ConsulApi({ address: fake.address });
  await api.catalog.nodes({ index: 5, wait: '10s' });
  await api.catalog.nodes({ index: 5, wait: 2500 });
  await api.catalog.nodes({ index: 5, wait: '10m' });
  await api.catalog.nodes({ index: 5 });
  const params = fake.requests.map((r) => [r.url.searchParams.get('index'), r.url.searchParams.get('wait')]);
  t.deepEqual(params, [
    ['5', '10000ms'],
    ['5', '2500ms'],
    ['5', '270000ms'],
    ['5', '270000ms'],
  ]);
});

test('presence flags, filter, node-meta, dc and token travel as Consul expects', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = () => ({ body: '[]' });
  const api = new ConsulApi({ address: fake.address, token: 'secret', datacenter: 'dc9' });
  await api.health.service('web', {
    passing: true,
    tag: ['a', 'b'],
    stale: true,
    filter: 'Service.Port == 80',
    nodeMeta: { rack: 'r1' },
  });
  const [req] = fake.requests;
  t.is(req?.url.pathname, '/v1/health/service/web');
  t.is(req?.url.searchParams.get('stale'), '');
  t.is(req?.url.searchParams.get('passing'), '1');
  t.deepEqual(req?.url.searchParams.getAll('tag'), ['a', 'b']);
  t.is(req?.url.searchParams.get('filter'), 'Service.Port == 80');
  t.deepEqual(req?.url.searchParams.getAll('node-meta'), ['rack:r1']);
  t.is(req?.url.searchParams.get('dc'), 'dc9');
  t.is(req?.headers['x-consul-token'], 'secret');
});

test('KV writes send the raw body with flags, cas, acquire and recurse parameters', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = (req) => ({ body: req.url.searchParams.has('cas') ? 'false' : 'true' });
  const api = new ConsulApi({ address: fake.address });
  t.true(await api.kv.put('a/b c', 'v', { flags: 42 }));
  t.false(await api.kv.put('a', Buffer.from([0, 1, 2]), { cas: 0 }));
  t.true(await api.kv.put('a', 'v', { acquire: 'sess' }));
  t.true(await api.kv.delete('p', { recurse: true }));
  const [put, cas, acquire, del] = fake.requests;
  t.is(put?.method, 'PUT');
  t.is(put?.url.pathname, '/v1/kv/a/b%20c');
  t.is(put?.url.searchParams.get('flags'), '42');
  t.is(put?.body.toString(), 'v');
  t.is(cas?.url.searchParams.get('cas'), '0');
  t.deepEqual([...(cas?.body ?? [])], [0, 1, 2]);
  t.is(acquire?.url.searchParams.get('acquire'), 'sess');
  t.is(del?.method, 'DELETE');
  t.is(del?.url.searchParams.get('recurse'), '');
});

test('a rolled-back transaction resolves with ok false and the errors', async (t) => {
  const fake = await startFakeAgent(t);
  fake.reply = () => ({
    status: 409,
    body: JSON.stringify({ Results: null, Errors: [{ OpIndex: 0, What: 'failed to set key "a", index is stale' }] }),
  });
  const api = new ConsulApi({ address: fake.address });
  const res = await api.txn([{ KV: { Verb: 'cas', Key: 'a', Value: '1', Index: 3 } }]);
  t.false(res.ok);
  t.deepEqual(res.errors, [{ OpIndex: 0, What: 'failed to set key "a", index is stale' }]);
  t.deepEqual(JSON.parse(fake.requests[0]?.body.toString() ?? ''), [{ KV: { Verb: 'cas', Key: 'a', Index: 3, Value: 'MQ==' } }]);
});

test('an unreachable agent gives a one-line error naming the request', async (t) => {
  const fake = await startFakeAgent(t);
  const address = fake.address;
  const api = new ConsulApi({ address: `http://${address}` });
  fake.reply = () => ({ status: 200, body: '"127.0.0.1:8300"' });
  t.is(await api.status.leader(), '127.0.0.1:8300');
  const dead = new ConsulApi({ address: '127.0.0.1:9' });
  const err = await t.throwsAsync(dead.status.leader());
  t.is(err?.message, 'Get "http://127.0.0.1:9/v1/status/leader": connect ECONNREFUSED 127.0.0.1:9');
});

test('an agent on a port the Fetch standard blocks (6000, 6665-6669, 10080) is reached like any other', async (t) => {
  const fake = await startFakeAgent(t, [6000, 6665, 6666, 6667, 6668, 6669, 10080]);
  fake.reply = () => ({ body: '"127.0.0.1:8300"' });
  const api = new ConsulApi({ address: fake.address });
  t.is(await api.status.leader(), '127.0.0.1:8300');
  t.is(fake.requests.length, 1);
});

test('a request still waiting for its answer is abandoned when its signal aborts', async (t) => {
  // An agent that holds every request open, as a blocking query does.
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const api = new ConsulApi({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  const ac = new AbortController();
  const pending = api.catalog.nodes({ index: 7, signal: ac.signal });
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await t.throwsAsync(pending, { name: 'AbortError' });
});
