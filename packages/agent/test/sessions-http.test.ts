import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, eventually, fileScope, sleep, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

interface Session {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: string;
  TTL: string;
  NodeChecks: string[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

async function info(id: string): Promise<Session[]> {
  const r = await call(agent, 'GET', `/v1/session/info/${id}`);
  if (r.status !== 200) throw new Error(`info ${id}: ${r.status} ${r.text}`);
  return r.json<Session[]>();
}

async function put(path: string, body = 'v'): Promise<string> {
  const r = await call(agent, 'PUT', `/v1/kv/${path}`, body);
  if (r.status !== 200) throw new Error(`PUT ${path}: ${r.status} ${r.text}`);
  return r.text;
}

test('create, info, list, node, renew and destroy a session through the consul client', async (t) => {
  const { ID } = await consul.session.create({ name: 'my-lock', ttl: '30s', behavior: 'release', lockdelay: '5s' });
  t.regex(ID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  const raw = await info(ID);
  t.is(raw.length, 1);
  const s = raw[0] as Session;
  t.is(s.ID, ID);
  t.is(s.Name, 'my-lock');
  t.is(s.Node, agent.node);
  t.is(s.LockDelay, 5e9);
  t.is(s.Behavior, 'release');
  t.is(s.TTL, '30s');
  t.deepEqual(s.NodeChecks, ['serfHealth']);
  t.is(s.CreateIndex, s.ModifyIndex);

  t.is((await consul.session.info(ID)).ID, ID);
  t.true((await consul.session.list()).some((x) => x.ID === ID));
  t.true((await consul.session.node(agent.node)).some((x) => x.ID === ID));
  const renewed = await consul.session.renew(ID);
  t.true(Array.isArray(renewed));
  t.is(renewed[0]?.ID, ID);

  await consul.session.destroy(ID);
  t.deepEqual(await info(ID), []);
  t.false((await consul.session.list()).some((x) => x.ID === ID));
  t.is((await call(agent, 'PUT', `/v1/session/destroy/${ID}`)).text, 'true', 'destroy is idempotent');
});

test('a session created with an empty body gets the defaults', async (t) => {
  const r = await call(agent, 'PUT', '/v1/session/create');
  t.is(r.status, 200);
  const s = (await info(r.json<{ ID: string }>().ID))[0] as Session;
  t.is(s.LockDelay, 15e9);
  t.is(s.Behavior, 'release');
  t.is(s.TTL, '');
  t.is(s.Node, agent.node);
});

test('renewing an unknown session is a 404 naming it; info on it is an empty list', async (t) => {
  const id = '11111111-2222-3333-4444-555555555555';
  const r = await call(agent, 'PUT', `/v1/session/renew/${id}`);
  t.is(r.status, 404);
  t.is(r.text, `Session id '${id}' not found`);
  t.deepEqual(await info(id), []);
});

// Serial: it counts sessions, so no other test may create one meanwhile.
test.serial("an invalid Behavior or a TTL outside [10s, 24h] is refused with Consul's words (the TTL in nanoseconds as Go prints a Duration)", async (t) => {
  const before = (await call(agent, 'GET', '/v1/session/list')).json<Session[]>().length;
  const behavior = await call(agent, 'PUT', '/v1/session/create', { Behavior: 'explode' });
  t.is(behavior.status, 500);
  t.is(behavior.text, "Invalid Behavior setting 'explode'");
  const short = await call(agent, 'PUT', '/v1/session/create', { TTL: '5s' });
  t.is(short.status, 500);
  t.is(short.text, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
  const long = await call(agent, 'PUT', '/v1/session/create', { TTL: '25h' });
  t.is(long.status, 500);
  t.is(long.text, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]");
  const fractional = await call(agent, 'PUT', '/v1/session/create', { TTL: '1.5s' });
  t.is(fractional.text, "Invalid Session TTL '1500000000', must be between [10s=24h0m0s]");
  const unitless = await call(agent, 'PUT', '/v1/session/create', { TTL: '10' });
  t.deepEqual([unitless.status, unitless.text], [500, 'Session TTL \'10\' invalid: time: missing unit in duration "10"']);
  const unknownUnit = await call(agent, 'PUT', '/v1/session/create', { TTL: '10x' });
  t.is(unknownUnit.text, 'Session TTL \'10x\' invalid: time: unknown unit "x" in duration "10x"');
  const garbage = await call(agent, 'PUT', '/v1/session/create', { TTL: 'soon' });
  t.is(garbage.text, 'Session TTL \'soon\' invalid: time: invalid duration "soon"');
  t.is((await call(agent, 'GET', '/v1/session/list')).json<Session[]>().length, before);
});

test('a destroyed session releases its locks and the lock-delay holds other sessions off until it passes', async (t) => {
  const a = (await call(agent, 'PUT', '/v1/session/create', { LockDelay: '2s' })).json<{ ID: string }>().ID;
  const b = (await call(agent, 'PUT', '/v1/session/create', { LockDelay: '2s' })).json<{ ID: string }>().ID;
  t.is(await put(`delay/k?acquire=${a}`), 'true');
  t.is(await put(`delay/k?acquire=${b}`), 'false');
  const destroyedAt = Date.now();
  t.is((await call(agent, 'PUT', `/v1/session/destroy/${a}`)).text, 'true');
  const released = (await call(agent, 'GET', '/v1/kv/delay/k')).json<{ Session?: string; LockIndex: number }[]>()[0];
  t.is(released?.Session, undefined);
  t.is(released?.LockIndex, 1);
  t.is(await put(`delay/k?acquire=${b}`), 'false', 'inside the lock-delay window');
  await eventually(async () => (await put(`delay/k?acquire=${b}`)) === 'true', 5000, 'acquire after the lock-delay');
  t.true(Date.now() - destroyedAt >= 1900, 'the lock-delay lasted about LockDelay');
  const held = (await call(agent, 'GET', '/v1/kv/delay/k')).json<{ Session?: string; LockIndex: number }[]>()[0];
  t.is(held?.Session, b);
  t.is(held?.LockIndex, 2);
});

test('a numeric LockDelay below 1000 is taken as seconds and reported in nanoseconds', async (t) => {
  const r = await call(agent, 'PUT', '/v1/session/create', { LockDelay: 5 });
  t.is(r.status, 200);
  t.is((await info(r.json<{ ID: string }>().ID))[0]?.LockDelay, 5e9);
});

test('destroying a delete-behavior session deletes the keys it holds', async (t) => {
  const id = (await call(agent, 'PUT', '/v1/session/create', { Behavior: 'delete', LockDelay: '0s' })).json<{ ID: string }>().ID;
  t.is(await put(`bdel/held?acquire=${id}`), 'true');
  t.is(await put('bdel/free'), 'true');
  await consul.session.destroy(id);
  t.is((await call(agent, 'GET', '/v1/kv/bdel/held')).status, 404);
  t.is((await call(agent, 'GET', '/v1/kv/bdel/free')).status, 200);
});

test('an unrenewed 10s TTL session is invalidated within 2×TTL and its delete behavior removes held keys', async (t) => {
  t.timeout(40_000);
  const created = Date.now();
  const id = (await call(agent, 'PUT', '/v1/session/create', { TTL: '10s', Behavior: 'delete', LockDelay: '0s' })).json<{ ID: string }>().ID;
  t.is(await put(`ttl/held?acquire=${id}`), 'true');
  await sleep(9_000);
  t.is((await info(id)).length, 1, 'still alive before its TTL');
  t.is((await call(agent, 'GET', '/v1/kv/ttl/held')).status, 200);
  await eventually(async () => (await info(id)).length === 0, 13_000, 'the TTL session to expire', 250);
  const elapsed = Date.now() - created;
  t.true(elapsed <= 20_000 + 1_500, `expired after ${elapsed} ms`);
  t.is((await call(agent, 'GET', '/v1/kv/ttl/held')).status, 404);
});

test('renewing a TTL session keeps it alive past 2×TTL of its creation', async (t) => {
  t.timeout(40_000);
  const id = (await call(agent, 'PUT', '/v1/session/create', { TTL: '10s' })).json<{ ID: string }>().ID;
  for (let i = 0; i < 3; i++) {
    await sleep(8_000);
    const r = await call(agent, 'PUT', `/v1/session/renew/${id}`);
    t.is(r.status, 200);
  }
  // 24 s after creation: without the renewals it would be gone.
  t.is((await info(id)).length, 1);
  await consul.session.destroy(id);
});
