/**
 * `GET` and `PUT /v1/kv/<key>` without a query string are answered by the leader's KV fast path;
 * the same requests with `?dc=<own datacenter>` (same meaning) take the router, the typed call and
 * the general KV handler. Both must answer the same status, the same body and the same headers in
 * the same order (Date aside): plain and gzip, hits and misses, writes, refusals, and with ACLs on
 * for a token the agent has resolved already and one it has not. Consul's HTTP timers count both.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type AgentProcess, eventually, fileScope, startAgent, tempDir } from './_agent.js';
import { type RawAnswer, rawRequest } from './_raw-answer.js';

const scope = fileScope((fn) => test.after.always(fn));

type Answer = RawAnswer;
const send = rawRequest;

/** The request on the fast path and the same on the routed path (`?dc=dc1`), both answers. */
async function both(agent: AgentProcess, method: string, key: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<[Answer, Answer]> {
  const fast = await send(agent, method, `/v1/kv/${key}`, headers, body);
  const routed = await send(agent, method, `/v1/kv/${key}?dc=dc1`, headers, body);
  return [fast, routed];
}

function same(t: ExecutionContext, [fast, routed]: [Answer, Answer], what: string): void {
  t.is(fast.status, routed.status, what);
  t.deepEqual(fast.headers, routed.headers, what);
  t.deepEqual(fast.body, routed.body, what);
}

const GZIP = { 'Accept-Encoding': 'gzip' };

interface Sample {
  Name: string;
  Count: number;
  Labels: Record<string, string>;
}

async function samples(agent: AgentProcess, headers: Record<string, string> = {}): Promise<Sample[]> {
  const r = await send(agent, 'GET', '/v1/agent/metrics', headers);
  return (JSON.parse(r.body.toString()) as { Samples: Sample[] }).Samples;
}

const count = (all: Sample[], name: string, labels: Record<string, string> = {}): number =>
  all.filter((s) => s.Name === name && Object.entries(labels).every(([k, v]) => s.Labels[k] === v)).reduce((n, s) => n + s.Count, 0);

test('with ACLs off, KV reads and writes answer the same headers, in the same order, and bodies on both paths', async (t) => {
  const agent = await startAgent(scope);
  // Writes: true, with and without gzip, an empty body, a value at the limit's other side.
  same(t, await both(agent, 'PUT', 'fp/a', {}, 'value-a'), 'PUT');
  same(t, await both(agent, 'PUT', 'fp/gz', GZIP, 'value-gz'), 'PUT gzip');
  same(t, await both(agent, 'PUT', 'fp/empty', {}), 'PUT without a body');
  same(t, await both(agent, 'PUT', 'fp/big', {}, Buffer.alloc(512 * 1024 + 1, 'x')), 'PUT over kv_max_value_size');
  const [bigFast] = await both(agent, 'PUT', 'fp/big', GZIP, Buffer.alloc(512 * 1024 + 1, 'x'));
  t.is(bigFast.status, 413);
  // Reads: a hit, plain and gzip, a miss, a value written through the fast path.
  const [hit] = await both(agent, 'GET', 'fp/a');
  t.is(hit.status, 200);
  t.is(Buffer.from(JSON.parse(hit.body.toString())[0].Value, 'base64').toString(), 'value-a');
  same(t, await both(agent, 'GET', 'fp/a'), 'GET');
  same(t, await both(agent, 'GET', 'fp/a', GZIP), 'GET gzip');
  same(t, await both(agent, 'GET', 'fp/missing'), 'GET of a missing key');
  same(t, await both(agent, 'GET', 'fp/empty'), 'GET of a key written without a body');
  const [empty] = await both(agent, 'GET', 'fp/empty');
  t.is(JSON.parse(empty.body.toString())[0].Value, null);
  // The headers the fast path writes itself, by name.
  const names = hit.headers.map(([n]) => n);
  for (const n of ['x-consul-default-acl-policy', 'vary', 'x-consul-index', 'x-consul-knownleader', 'x-consul-lastcontact', 'x-consul-effective-consistency', 'content-type']) {
    t.true(names.includes(n), n);
  }
  const [put] = await both(agent, 'PUT', 'fp/b', {}, 'b');
  t.is(put.body.toString(), 'true');
  t.deepEqual(
    put.headers.filter(([n]) => n !== 'connection' && n !== 'keep-alive'),
    [
      ['x-consul-default-acl-policy', 'allow'],
      ['vary', 'Accept-Encoding'],
      ['content-type', 'application/json'],
      ['content-length', '4'],
    ],
  );
});

test("Consul's HTTP timers count KV reads and writes answered on the fast path under the route's names", async (t) => {
  const agent = await startAgent(scope);
  const before = await samples(agent);
  for (let i = 0; i < 3; i++) await send(agent, 'PUT', `/v1/kv/timers/k${i}`, {}, 'v');
  for (let i = 0; i < 5; i++) await send(agent, 'GET', '/v1/kv/timers/k0');
  const after = await samples(agent);
  // One metrics interval is 10 s: the counts only grow within it, or start again after it.
  const grew = (name: string, labels: Record<string, string>, n: number) => {
    const was = count(before, name, labels);
    const now = count(after, name, labels);
    return now === was + n || now === n;
  };
  t.true(grew('consul.http.GET.v1.kv._', {}, 5), JSON.stringify(after.filter((s) => s.Name.includes('kv'))));
  t.true(grew('consul.http.PUT.v1.kv._', {}, 3));
  t.true(grew('consul.api.http', { method: 'GET', path: 'v1_kv_' }, 5));
  t.true(grew('consul.api.http', { method: 'PUT', path: 'v1_kv_' }, 3));
});

test('with ACLs on (default deny), a scoped token reads and writes alike on both paths, resolved or not, and is refused alike', async (t) => {
  const dir = tempDir(scope);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'root-secret' } } }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
  const root = { 'X-Consul-Token': 'root-secret' };
  await eventually(async () => (await send(agent, 'GET', '/v1/acl/token/self', root)).status === 200, 30_000, 'the initial management token', 200);
  const policy = await send(
    agent,
    'PUT',
    '/v1/acl/policy',
    root,
    JSON.stringify({ Name: 'fp', Rules: 'key_prefix "fp/" { policy = "write" }\nkey_prefix "ro/" { policy = "read" }' }),
  );
  t.is(policy.status, 200, policy.body.toString());
  const mint = async () => {
    const r = await send(agent, 'PUT', '/v1/acl/token', root, JSON.stringify({ Policies: [{ ID: JSON.parse(policy.body.toString()).ID }] }));
    return JSON.parse(r.body.toString()).SecretID as string;
  };
  // A token's first request is answered before the agent holds its resolution; the rest after.
  const fresh = { 'X-Consul-Token': await mint() };
  same(t, await both(agent, 'PUT', 'fp/first', fresh, 'v1'), 'PUT with a token not resolved yet');
  same(t, await both(agent, 'PUT', 'fp/first', fresh, 'v2'), 'PUT with a resolved token');
  same(t, await both(agent, 'PUT', 'fp/gz', { ...fresh, ...GZIP }, 'v'), 'PUT gzip');
  same(t, await both(agent, 'GET', 'fp/first', fresh), 'GET');
  same(t, await both(agent, 'GET', 'fp/first', { ...fresh, ...GZIP }), 'GET gzip');
  same(t, await both(agent, 'GET', 'fp/none', fresh), 'GET of a missing key');
  const bearer = { Authorization: `Bearer ${await mint()}` };
  same(t, await both(agent, 'GET', 'fp/first', bearer), 'GET with a bearer token');
  // Refusals: no write on a read-only prefix, nothing outside the policy, anonymous, an unknown token.
  const [ro] = await both(agent, 'PUT', 'ro/k', fresh, 'v');
  t.is(ro.status, 403);
  t.regex(ro.body.toString(), /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "ro\/k"$/);
  same(t, await both(agent, 'PUT', 'ro/k', fresh, 'v'), 'PUT refused');
  same(t, await both(agent, 'GET', 'other/k', fresh), 'GET refused');
  same(t, await both(agent, 'GET', 'fp/first'), 'GET as anonymous');
  const [unknown] = await both(agent, 'GET', 'fp/first', { 'X-Consul-Token': 'no-such-secret' });
  t.is(unknown.status, 403);
  t.is(unknown.body.toString(), 'ACL not found');
  same(t, await both(agent, 'GET', 'fp/first', { 'X-Consul-Token': 'no-such-secret' }), 'GET with an unknown token');
  const [read] = await both(agent, 'GET', 'fp/first', fresh);
  t.is(Buffer.from(JSON.parse(read.body.toString())[0].Value, 'base64').toString(), 'v2');
  t.is(read.headers.find(([n]) => n === 'x-consul-default-acl-policy')?.[1], 'deny');
});
