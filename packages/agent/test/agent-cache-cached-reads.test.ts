import test from 'ava';
import { type AgentProcess, call, eventually, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

async function register(node: string, service: string, port: number): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/catalog/register', { Node: node, Address: '10.7.0.1', Service: { Service: service, Port: port } });
  if (r.text !== 'true') throw new Error(`register: ${r.status} ${r.text}`);
}

test.serial('?cached on health/service: a MISS first, then HITs with Age 0, kept current by a background blocking query', async (t) => {
  await register('cache-n1', 'cweb', 80);
  const direct = await call(agent, 'GET', '/v1/health/service/cweb');
  const first = await call(agent, 'GET', '/v1/health/service/cweb?cached');
  t.is(first.status, 200);
  t.is(first.headers.get('x-cache'), 'MISS');
  t.is(first.headers.get('age'), null);
  t.deepEqual(first.json(), direct.json());
  t.truthy(first.headers.get('x-consul-index'));
  const second = await call(agent, 'GET', '/v1/health/service/cweb?cached');
  t.is(second.headers.get('x-cache'), 'HIT');
  t.is(second.headers.get('age'), '0');
  t.is(second.text, first.text);

  // A change reaches the cached result without a MISS: the refresh query woke up.
  await register('cache-n2', 'cweb', 81);
  const updated = await eventually(
    async () => {
      const r = await call(agent, 'GET', '/v1/health/service/cweb?cached');
      return r.json<unknown[]>().length === 2 ? r : undefined;
    },
    10_000,
    'the cached result to show the second instance',
  );
  t.is(updated.headers.get('x-cache'), 'HIT');
  t.true(Number(updated.headers.get('x-consul-index')) > Number(first.headers.get('x-consul-index')));
});

test.serial('?cached results are per query: other tags or filters are other entries', async (t) => {
  const a = await call(agent, 'GET', '/v1/health/service/cweb?cached&filter=Service.Port%20%3D%3D%2080');
  t.is(a.headers.get('x-cache'), 'MISS');
  t.is(a.json<unknown[]>().length, 1);
  const b = await call(agent, 'GET', '/v1/health/service/cweb?filter=Service.Port%20%3D%3D%2080&cached=&index=0');
  t.is(b.headers.get('x-cache'), 'HIT', 'parameter order and ?index=0 do not make another entry');
});

test.serial('?cached on catalog/services and catalog/service/<name>', async (t) => {
  for (const path of ['/v1/catalog/services', '/v1/catalog/service/cweb']) {
    const direct = await call(agent, 'GET', path);
    const miss = await call(agent, 'GET', `${path}?cached`);
    const hit = await call(agent, 'GET', `${path}?cached`);
    t.is(miss.headers.get('x-cache'), 'MISS', path);
    t.is(hit.headers.get('x-cache'), 'HIT', path);
    t.deepEqual(hit.json(), direct.json(), path);
  }
  // Endpoints Consul does not cache ignore ?cached.
  const kv = await call(agent, 'GET', '/v1/catalog/nodes?cached');
  t.is(kv.status, 200);
  t.is(kv.headers.get('x-cache'), null);
});

test.serial('a blocking ?cached read waits for the cached result to pass its index', async (t) => {
  const now = await call(agent, 'GET', '/v1/catalog/service/cweb?cached');
  const index = Number(now.headers.get('x-consul-index'));
  const started = Date.now();
  const waiting = call(agent, 'GET', `/v1/catalog/service/cweb?cached&index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 500));
  await register('cache-n3', 'cweb', 82);
  const woke = await waiting;
  t.true(Date.now() - started < 15_000);
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  t.is(woke.json<unknown[]>().length, 3);
  const timedOut = await call(agent, 'GET', `/v1/catalog/service/cweb?cached&index=${woke.headers.get('x-consul-index')}&wait=300ms`);
  t.is(timedOut.status, 200);
  t.is(timedOut.json<unknown[]>().length, 3);
});

test.serial('Cache-Control: max-age=0 and must-revalidate fetch afresh; bad directives and ?consistent are refused', async (t) => {
  await call(agent, 'GET', '/v1/health/service/cweb?cached');
  const fresh = await call(agent, 'GET', '/v1/health/service/cweb?cached', undefined, { 'Cache-Control': 'max-age=0' });
  t.is(fresh.headers.get('x-cache'), 'MISS');
  const revalidated = await call(agent, 'GET', '/v1/health/service/cweb?cached', undefined, { 'Cache-Control': 'must-revalidate' });
  t.is(revalidated.headers.get('x-cache'), 'MISS');
  const young = await call(agent, 'GET', '/v1/health/service/cweb?cached', undefined, { 'Cache-Control': 'max-age=60' });
  t.is(young.headers.get('x-cache'), 'HIT');
  const bad = await call(agent, 'GET', '/v1/health/service/cweb?cached', undefined, { 'Cache-Control': 'max-age=soon' });
  t.is(bad.status, 400);
  t.is(bad.text, 'Invalid Cache-Control header.');
  const both = await call(agent, 'GET', '/v1/health/service/cweb?cached&consistent');
  t.is(both.status, 400);
  t.is(both.text, 'Cannot specify ?cached with ?consistent');
  const badFilter = await call(agent, 'GET', '/v1/health/service/cweb?cached&filter=%3D%3D');
  t.is(badFilter.status, 400);
});
