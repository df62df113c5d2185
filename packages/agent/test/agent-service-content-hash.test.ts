/**
 * `GET /v1/agent/service/<id>`: a content hash of the service definition in `X-Consul-ContentHash`
 * and `ContentHash` (changes exactly when the definition does), and Consul's hash-based blocking
 * (`?hash=<h>&wait=<d>`): held while the hash is unchanged, answered at once when it changes.
 */
import test from 'ava';
import { type AgentProcess, type Reply, call, fileScope, sleep, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

interface ServiceReply {
  ID: string;
  Port: number;
  Tags: string[];
  ContentHash: string;
}

async function register(def: Record<string, unknown>): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/agent/service/register', def);
  if (r.status !== 200) throw new Error(`register: ${r.status} ${r.text}`);
}

function hashOf(r: Reply): string {
  const header = r.headers.get('x-consul-contenthash') ?? '';
  const body = r.json<ServiceReply>().ContentHash;
  if (header !== body) throw new Error(`header hash ${header} != body hash ${body}`);
  return header;
}

async function current(id: string): Promise<string> {
  const r = await call(agent, 'GET', `/v1/agent/service/${id}`);
  if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${r.text}`);
  return hashOf(r);
}

/** A blocking GET, with how long it was held. */
async function blocking(path: string): Promise<{ reply: Reply; ms: number }> {
  const start = Date.now();
  const reply = await call(agent, 'GET', path);
  return { reply, ms: Date.now() - start };
}

test('the hash is in the header and the body, stable for an unchanged definition and new for every change', async (t) => {
  const base = { ID: 'hash-web', Name: 'web', Port: 80, Tags: ['a', 'b'], Meta: { x: '1', y: '2' }, Check: { TTL: '60s' } };
  await register(base);
  const h1 = await current('hash-web');
  t.regex(h1, /^[0-9a-f]{16}$/);
  t.is(await current('hash-web'), h1, 'stable across reads');

  // The same definition again (meta keys in another order) keeps the hash; check status does not count.
  await register({ ...base, Meta: { y: '2', x: '1' } });
  t.is(await current('hash-web'), h1);
  t.is((await call(agent, 'PUT', '/v1/agent/check/pass/service:hash-web')).status, 200);
  t.is(await current('hash-web'), h1, 'a check update is not a service change');

  const seen = new Set([h1]);
  const changes: Record<string, unknown>[] = [
    { Port: 81 },
    { Tags: ['a'] },
    { Tags: ['b', 'a'] },
    { Meta: { x: '1', y: '3' } },
    { Address: '10.1.2.3' },
    { Weights: { Passing: 5, Warning: 1 } },
    { EnableTagOverride: true },
    { Name: 'web2' },
  ];
  for (const change of changes) {
    await register({ ...base, ...change });
    const h = await current('hash-web');
    t.false(seen.has(h), `${JSON.stringify(change)} must give a new hash`);
    seen.add(h);
  }
  await register(base);
  t.is(await current('hash-web'), h1, 'back to the first definition, back to the first hash');
  await call(agent, 'PUT', '/v1/agent/service/deregister/hash-web');
});

test('?hash= with the current hash holds the request until the wait runs out, answering the same hash', async (t) => {
  await register({ ID: 'hash-idle', Name: 'idle', Port: 80 });
  await register({ ID: 'hash-other', Name: 'other', Port: 80 });
  const h = await current('hash-idle');
  const held = blocking(`/v1/agent/service/hash-idle?hash=${h}&wait=1s`);
  // Changes to another service, and a re-registration with the same definition, do not end it.
  await sleep(200);
  await register({ ID: 'hash-other', Name: 'other', Port: 99 });
  await register({ ID: 'hash-idle', Name: 'idle', Port: 80 });
  const { reply, ms } = await held;
  t.is(reply.status, 200);
  t.is(hashOf(reply), h);
  t.true(ms >= 1000, `held ${ms} ms`);
  t.true(ms < 1000 + 1000 / 16 + 1500, `held ${ms} ms`);
});

test('?hash= returns as soon as the service changes, with the new definition and hash', async (t) => {
  await register({ ID: 'hash/changing', Name: 'changing', Port: 80 });
  const h = await current('hash/changing');
  const held = blocking(`/v1/agent/service/hash/changing?hash=${h}&wait=30s`);
  await sleep(300);
  const changedAt = Date.now();
  await register({ ID: 'hash/changing', Name: 'changing', Port: 8080 });
  const { reply, ms } = await held;
  const answeredAt = Date.now();
  t.is(reply.status, 200);
  t.not(hashOf(reply), h);
  t.is(reply.json<ServiceReply>().Port, 8080);
  t.true(ms >= 300, `held ${ms} ms`);
  t.true(answeredAt - changedAt < 3000, `answered ${answeredAt - changedAt} ms after the change`);
  t.is(hashOf(reply), await current('hash/changing'));
});

test('?hash= with a stale hash answers at once; a service removed while waiting is a 404', async (t) => {
  await register({ ID: 'hash-gone', Name: 'gone', Port: 80 });
  const h = await current('hash-gone');
  const stale = await blocking('/v1/agent/service/hash-gone?hash=0123456789abcdef&wait=30s');
  t.is(stale.reply.status, 200);
  t.is(hashOf(stale.reply), h);
  t.true(stale.ms < 2000, `answered in ${stale.ms} ms`);

  const held = blocking(`/v1/agent/service/hash-gone?hash=${h}&wait=30s`);
  await sleep(300);
  t.is((await call(agent, 'PUT', '/v1/agent/service/deregister/hash-gone')).status, 200);
  const { reply, ms } = await held;
  t.deepEqual([reply.status, reply.text], [404, 'unknown service ID: hash-gone']);
  t.true(ms < 3000, `answered ${ms} ms after the request`);
});

test('a bad wait is a 400; without ?hash the answer is immediate', async (t) => {
  await register({ ID: 'hash-plain', Name: 'plain', Port: 80 });
  const bad = await call(agent, 'GET', '/v1/agent/service/hash-plain?hash=x&wait=soon');
  t.deepEqual([bad.status, bad.text], [400, 'Invalid wait time']);
  const plain = await blocking('/v1/agent/service/hash-plain?wait=30s');
  t.is(plain.reply.status, 200);
  t.true(plain.ms < 2000);
  t.is(agent.child.exitCode, null);
});

test('a hash-blocking request does not hold up the agent shutting down', async (t) => {
  const own = await startAgent(scope);
  const r = await call(own, 'PUT', '/v1/agent/service/register', { ID: 'hash-drain', Name: 'drain', Port: 80 });
  t.is(r.status, 200);
  const h = (await call(own, 'GET', '/v1/agent/service/hash-drain')).headers.get('x-consul-contenthash');
  const pending = call(own, 'GET', `/v1/agent/service/hash-drain?hash=${h}&wait=60s`).then(
    (reply) => `answered ${reply.status}`,
    (err: unknown) => `cut: ${String(err)}`,
  );
  await sleep(300);
  const start = Date.now();
  await own.stop();
  const ms = Date.now() - start;
  t.regex(await pending, /^cut|answered/);
  // The HTTP drain waits up to 3 s for requests in progress; blocking ones are ended at once.
  t.true(ms < 2500, `shutdown took ${ms} ms`);
});
