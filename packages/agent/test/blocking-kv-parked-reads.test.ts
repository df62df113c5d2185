/**
 * `GET /v1/kv/<key>?index=N[&wait=D]` is parked on the leader per key, without the router; the
 * same request with `&dc=<own datacenter>` (same meaning) takes the router and the typed call's
 * blocking query. Woken by the same write, or timing out, both must answer the same status,
 * headers in the same order (Date aside) and body, plain and gzip; a deleted key wakes both with
 * a 404; a client that goes away is let go; with ACLs on, a token that may read the key waits
 * and one that may not is refused at once, as on the routed path.
 */
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type AgentProcess, eventually, fileScope, startAgent, tempDir } from './_agent.js';
import { type RawAnswer, rawRequest } from './_raw-answer.js';

const scope = fileScope((fn) => test.after.always(fn));

type Answer = RawAnswer;

const get = (agent: AgentProcess, path: string, headers: Record<string, string> = {}): Promise<Answer> => rawRequest(agent, 'GET', path, headers);

async function put(agent: AgentProcess, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
  const r = await fetch(`${agent.base}/v1/kv/${key}`, { method: 'PUT', body: value, headers });
  if (!r.ok) throw new Error(`PUT ${key}: ${r.status} ${await r.text()}`);
}

const indexOf = (a: Answer): number => Number(a.headers.find(([n]) => n === 'x-consul-index')?.[1]);

/** Blocking queries waiting in the agent (the watcher gauge counts parked reads too). */
async function waiting(agent: AgentProcess, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(`${agent.base}/v1/agent/metrics`, { headers });
  const body = (await r.json()) as { Gauges: { Name: string; Value: number }[] };
  return body.Gauges.find((g) => g.Name === 'concord_state_watchers')?.Value ?? 0;
}

function same(t: ExecutionContext, fast: Answer, routed: Answer, what: string): void {
  t.is(fast.status, routed.status, what);
  t.deepEqual(fast.headers, routed.headers, what);
  t.deepEqual(fast.body, routed.body, what);
}

const GZIP = { 'Accept-Encoding': 'gzip' };

test('a write wakes parked and routed blocking reads of a key with the same answer, plain and gzip, and a delete with the same 404', async (t) => {
  const agent = await startAgent(scope);
  await put(agent, 'bk/a', 'one');
  const index = indexOf(await get(agent, '/v1/kv/bk/a'));
  const before = await waiting(agent);
  const pending = [
    get(agent, `/v1/kv/bk/a?index=${index}&wait=30s`),
    get(agent, `/v1/kv/bk/a?index=${index}&wait=30s&dc=dc1`),
    get(agent, `/v1/kv/bk/a?wait=30s&index=${index}`, GZIP),
    get(agent, `/v1/kv/bk/a?index=${index}&wait=30s&dc=dc1`, GZIP),
  ];
  await eventually(async () => (await waiting(agent)) >= before + 4, 10_000, 'four parked reads');
  await put(agent, 'bk/a', 'two <&> escaped as Go does');
  const [fast, routed, fastGz, routedGz] = await Promise.all(pending);
  t.is(fast!.status, 200);
  t.true(indexOf(fast!) > index);
  const entry = JSON.parse(fast!.body.toString()) as { Key: string; Value: string }[];
  t.is(Buffer.from(entry[0]!.Value, 'base64').toString(), 'two <&> escaped as Go does');
  same(t, fast!, routed!, 'plain');
  same(t, fastGz!, routedGz!, 'gzip');
  t.true(fastGz!.headers.some(([n, v]) => n === 'content-encoding' && v === 'gzip'));

  // a delete wakes both with the 404 and the index of the delete
  const next = indexOf(fast!);
  const gone = [get(agent, `/v1/kv/bk/a?index=${next}`), get(agent, `/v1/kv/bk/a?index=${next}&dc=dc1`)];
  await eventually(async () => (await waiting(agent)) >= before + 2, 10_000, 'two parked reads');
  t.is((await fetch(`${agent.base}/v1/kv/bk/a`, { method: 'DELETE' })).status, 200);
  const [fastGone, routedGone] = await Promise.all(gone);
  t.is(fastGone!.status, 404);
  t.true(indexOf(fastGone!) > next);
  same(t, fastGone!, routedGone!, 'delete');
});

test('an index behind the key answers at once; a read with no change times out at wait plus at most wait/16, with the same index and body as the routed path', async (t) => {
  const agent = await startAgent(scope);
  await put(agent, 'bt/k', 'still');
  const first = await get(agent, '/v1/kv/bt/k');
  const index = indexOf(first);
  const behind = await get(agent, `/v1/kv/bt/k?index=${index - 1}&wait=30s`);
  t.true(behind.ms < 5000, `answered after ${behind.ms} ms`);
  same(t, behind, first, 'behind the key');
  const [fast, routed] = await Promise.all([get(agent, `/v1/kv/bt/k?index=${index}&wait=1500ms`), get(agent, `/v1/kv/bt/k?index=${index}&wait=1500ms&dc=dc1`)]);
  for (const [a, what] of [
    [fast, 'parked'],
    [routed, 'routed'],
  ] as const) {
    t.true(a.ms >= 1490, `${what} returned early after ${a.ms} ms`);
    t.true(a.ms <= 1500 + 1500 / 16 + 500, `${what} held ${a.ms} ms`);
  }
  t.is(indexOf(fast), index);
  same(t, fast, routed, 'timed out');
  same(t, fast, first, 'the unchanged key');
  // the jitter spreads timeouts out: ten reads do not all end within one millisecond of each other
  const many = await Promise.all(Array.from({ length: 10 }, () => get(agent, `/v1/kv/bt/k?index=${index}&wait=1s`)));
  for (const a of many) t.true(a.ms >= 990 && a.ms <= 1000 + 1000 / 16 + 500, `held ${a.ms} ms`);
});

test('a client that goes away is let go, and writes after it still wake the others', async (t) => {
  const agent = await startAgent(scope);
  await put(agent, 'bg/k', 'v');
  const index = indexOf(await get(agent, '/v1/kv/bg/k'));
  const before = await waiting(agent);
  const abandoned = Array.from({ length: 20 }, () => {
    const req = request({ host: '127.0.0.1', port: agent.port, path: `/v1/kv/bg/k?index=${index}&wait=5m` });
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  const kept = get(agent, `/v1/kv/bg/k?index=${index}&wait=5m`);
  await eventually(async () => (await waiting(agent)) >= before + 21, 10_000, 'twenty-one parked reads');
  for (const req of abandoned) req.destroy();
  await eventually(async () => (await waiting(agent)) === before + 1, 15_000, 'the abandoned reads let go');
  await put(agent, 'bg/k', 'w');
  const woken = await kept;
  t.is(woken.status, 200);
  t.true(indexOf(woken) > index);
  t.is(await waiting(agent), before);
});

test('with ACLs on, a token that may read the key waits and is woken; one that may not is refused at once as on the routed path', async (t) => {
  const dir = tempDir(scope);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'root-secret' } } }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
  const root = { 'X-Consul-Token': 'root-secret' };
  await eventually(async () => (await fetch(`${agent.base}/v1/acl/token/self`, { headers: root })).status === 200, 30_000, 'the initial management token', 200);
  const policy = await fetch(`${agent.base}/v1/acl/policy`, { method: 'PUT', headers: root, body: JSON.stringify({ Name: 'ro', Rules: 'key_prefix "ro/" { policy = "read" }' }) });
  t.is(policy.status, 200);
  const token = await fetch(`${agent.base}/v1/acl/token`, {
    method: 'PUT',
    headers: root,
    body: JSON.stringify({ Policies: [{ ID: ((await policy.json()) as { ID: string }).ID }] }),
  });
  const reader = { 'X-Consul-Token': ((await token.json()) as { SecretID: string }).SecretID };
  await put(agent, 'ro/k', 'v1', root);
  await put(agent, 'other/k', 'secret', root);
  const index = indexOf(await get(agent, '/v1/kv/ro/k', reader));
  // the token's first use resolves it; afterwards the agent decides at once
  t.is((await get(agent, `/v1/kv/ro/k?index=${index - 1}`, reader)).status, 200);
  const before = await waiting(agent, root);
  const pending = [get(agent, `/v1/kv/ro/k?index=${index}&wait=30s`, reader), get(agent, `/v1/kv/ro/k?index=${index}&wait=30s&dc=dc1`, reader)];
  await eventually(async () => (await waiting(agent, root)) >= before + 2, 10_000, 'two parked reads');
  const otherIndex = indexOf(await get(agent, '/v1/kv/other/k', root));
  const [deniedFast, deniedRouted] = await Promise.all([
    get(agent, `/v1/kv/other/k?index=${otherIndex}&wait=30s`, reader),
    get(agent, `/v1/kv/other/k?index=${otherIndex}&wait=30s&dc=dc1`, reader),
  ]);
  t.is(deniedFast.status, 403);
  t.true(deniedFast.ms < 5000, `refused after ${deniedFast.ms} ms`);
  same(t, deniedFast, deniedRouted, 'refused');
  await put(agent, 'ro/k', 'v2', root);
  const [fast, routed] = await Promise.all(pending);
  t.is(fast!.status, 200);
  t.is(Buffer.from((JSON.parse(fast!.body.toString()) as { Value: string }[])[0]!.Value, 'base64').toString(), 'v2');
  same(t, fast!, routed!, 'woken with a token');
});
