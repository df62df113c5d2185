/**
 * KV writes taken by a follower (`PUT` with flags, check-and-set, acquire and release; `DELETE`
 * plain, check-and-set and recursive) are parsed by its KV write path and passed to the leader as
 * the command's binary record. The same script of writes is run three times on fresh keys:
 * through that path, through the follower's general path (`?dc=<own datacenter>`, which the write
 * path leaves to the router and the typed call) and through the leader. Every answer must be the
 * same: status, headers in order (Date aside) and body, refusals and errors included. With no
 * leader, the follower answers Consul's `No cluster leader` 500 on both of its paths; with ACLs
 * on, a denied write is refused with Consul's text on both, and the leader checks the forwarded
 * token again.
 */
import test, { type ExecutionContext } from 'ava';
import type { ServerCluster } from '../src/cluster/server-cluster.js';
import { type Member, http, leaderOf, startServers } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';
import { type RawAnswer, rawRequest } from './_raw-answer.js';

const clusterOf = (m: Member) => m.agent.context.cluster as ServerCluster;
const records = (m: Member) => clusterOf(m).leaderChannel.counts.kvRecords;

function send(m: Member, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  return rawRequest({ port: m.agent.httpPort }, method, path, headers, body);
}

/** An answer as compared: what a client sees, the connection's own headers aside. */
function seen(a: RawAnswer): { status: number; headers: [string, string][]; body: string } {
  return { status: a.status, headers: a.headers.filter(([n]) => n !== 'connection' && n !== 'keep-alive'), body: a.body.toString('base64') };
}

/** `path` with `extra` added to its query (the general path's `dc=dc1`). */
function withQuery(path: string, extra: string): string {
  if (extra === '') return path;
  return path.includes('?') ? `${path}&${extra}` : `${path}?${extra}`;
}

async function modifyIndex(leader: Member, key: string, headers: Record<string, string>): Promise<number> {
  const r = await http(leader.base, `/v1/kv/${key}`, { headers });
  if (r.status !== 200) throw new Error(`GET ${key}: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { ModifyIndex: number }[])[0]!.ModifyIndex;
}

async function session(leader: Member, headers: Record<string, string>): Promise<string> {
  const r = await send(leader, 'PUT', '/v1/session/create', headers, '{}');
  if (r.status !== 200) throw new Error(`session: ${r.status} ${r.body.toString()}`);
  return (JSON.parse(r.body.toString()) as { ID: string }).ID;
}

/**
 * The script of writes under prefix `p`, sent to `through` with `extra` in each query; returns
 * each step's answer by name.
 */
async function script(through: Member, leader: Member, p: string, extra: string, headers: Record<string, string> = {}): Promise<Map<string, ReturnType<typeof seen>>> {
  const out = new Map<string, ReturnType<typeof seen>>();
  const step = async (name: string, method: string, path: string, body?: string | Buffer, more: Record<string, string> = {}) => {
    out.set(name, seen(await send(through, method, withQuery(path, extra), { ...headers, ...more }, body)));
  };
  await step('put', 'PUT', `/v1/kv/${p}/a`, 'one');
  await step('put with flags', 'PUT', `/v1/kv/${p}/a?flags=42`, 'two');
  await step('put gzip', 'PUT', `/v1/kv/${p}/gz`, 'gz', { 'Accept-Encoding': 'gzip' });
  await step('put without a body', 'PUT', `/v1/kv/${p}/empty`);
  await step('put of an escaped key', 'PUT', `/v1/kv/${p}/sp%20ace%2Fslash`, 'esc');
  await step('cas=0 on a new key', 'PUT', `/v1/kv/${p}/c?cas=0`, 'x');
  await step('cas=0 on an existing key', 'PUT', `/v1/kv/${p}/c?cas=0`, 'y');
  const c = await modifyIndex(leader, `${p}/c`, headers);
  await step('cas with a stale index', 'PUT', `/v1/kv/${p}/c?cas=${c + 1000}`, 'y');
  await step('cas with the current index', 'PUT', `/v1/kv/${p}/c?cas=${c}&flags=7`, 'z');
  const s1 = await session(leader, headers);
  const s2 = await session(leader, headers);
  await step('acquire', 'PUT', `/v1/kv/${p}/lock?acquire=${s1}`, 'held');
  await step('acquire of a held lock', 'PUT', `/v1/kv/${p}/lock?acquire=${s2}`, 'taken');
  await step('release by another session', 'PUT', `/v1/kv/${p}/lock?release=${s2}`);
  await step('release', 'PUT', `/v1/kv/${p}/lock?release=${s1}`);
  await step('acquire with no such session', 'PUT', `/v1/kv/${p}/lock?acquire=00000000-0000-4000-8000-000000000000`, 'v');
  const c2 = await modifyIndex(leader, `${p}/c`, headers);
  await step('delete-cas with a stale index', 'DELETE', `/v1/kv/${p}/c?cas=${c2 + 1000}`);
  await step('delete-cas with the current index', 'DELETE', `/v1/kv/${p}/c?cas=${c2}`);
  await step('delete', 'DELETE', `/v1/kv/${p}/a`);
  await step('delete of a missing key', 'DELETE', `/v1/kv/${p}/never`);
  await step('put over the value limit', 'PUT', `/v1/kv/${p}/big`, Buffer.alloc(512 * 1024 + 1, 'x'));
  // Refused by the general KV handler (the write path leaves them to it).
  await step('invalid flags', 'PUT', `/v1/kv/${p}/bad?flags=-1`, 'v');
  await step('invalid cas', 'DELETE', `/v1/kv/${p}/bad?cas=x`);
  await step('put under a tree', 'PUT', `/v1/kv/${p}/tree/1`, '1');
  await step('put under a tree again', 'PUT', `/v1/kv/${p}/tree/2`, '2');
  await step('delete-tree', 'DELETE', `/v1/kv/${p}/tree?recurse`);
  return out;
}

function sameAnswers(t: ExecutionContext, a: Map<string, ReturnType<typeof seen>>, b: Map<string, ReturnType<typeof seen>>, what: string): void {
  t.deepEqual([...a.keys()], [...b.keys()]);
  for (const [name, answer] of a) t.deepEqual(answer, b.get(name), `${what}: ${name}`);
}

test('KV writes through a follower’s write path answer exactly as its general path and as the leader, and go to the leader as binary records', async (t) => {
  const servers = await startServers(t, 3);
  const leader = leaderOf(servers);
  const follower = servers.find((s) => s !== leader);
  if (!leader || !follower) return t.fail('no leader');
  await waitFor(() => clusterOf(follower).knownLeader(), 15_000, 20);

  const before = records(follower);
  const fast = await script(follower, leader, 'fast', '');
  const forwarded = records(follower) - before;
  const general = await script(follower, leader, 'general', 'dc=dc1');
  const viaLeader = await script(leader, leader, 'leader', '');
  t.is(records(follower) - before, forwarded, 'the general path sends typed calls, not records');
  // Every write the script's fast run made past the general handler's refusals went as a record.
  t.true(forwarded >= 19, `${forwarded} writes went to the leader as records`);
  t.is(records(leader), 0, 'the leader forwards nothing');
  sameAnswers(t, fast, general, 'write path vs general path');
  sameAnswers(t, fast, viaLeader, 'follower vs leader');
  t.is(fast.get('put')?.body, Buffer.from('true').toString('base64'));
  t.is(fast.get('cas=0 on an existing key')?.body, Buffer.from('false').toString('base64'));
  t.is(fast.get('acquire with no such session')?.status, 500);
  t.is(fast.get('put over the value limit')?.status, 413);
  t.is(fast.get('invalid flags')?.status, 400);

  // What the writes left behind is the same under each prefix.
  const stored = async (p: string) => {
    const r = await http(leader.base, `/v1/kv/${p}/?recurse`);
    return r.status === 404 ? [] : (JSON.parse(r.text) as { Key: string; Flags: number; Value: string | null }[]).map((e) => [e.Key.slice(p.length), e.Flags, e.Value]);
  };
  t.deepEqual(await stored('fast'), await stored('leader'));
  t.deepEqual(await stored('general'), await stored('leader'));
});

test('with no leader, a follower’s write path answers Consul’s No cluster leader as its general path does', async (t) => {
  const servers = await startServers(t, 3);
  const leader = leaderOf(servers);
  const survivor = servers.find((s) => s !== leader);
  if (!leader || !survivor) return t.fail('no leader');
  for (const s of servers) if (s !== survivor) await s.agent.close();
  await waitFor(() => !clusterOf(survivor).knownLeader(), 30_000, 50);
  const fast = seen(await send(survivor, 'PUT', '/v1/kv/nl/a', {}, 'v'));
  const general = seen(await send(survivor, 'PUT', '/v1/kv/nl/a?dc=dc1', {}, 'v'));
  t.is(fast.status, 500);
  t.is(Buffer.from(fast.body, 'base64').toString(), 'No cluster leader');
  t.deepEqual(fast, general);
  const del = seen(await send(survivor, 'DELETE', '/v1/kv/nl/a'));
  t.deepEqual(del, seen(await send(survivor, 'DELETE', '/v1/kv/nl/a?dc=dc1')));
  t.is(del.status, 500);
});

const ROOT = '5d0c8e1a-2b3f-4c6d-8e9f-0a1b2c3d4e5f';
const ACL = { acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: ROOT } } };

test('with ACLs on, a follower’s write path takes allowed writes, refuses denied ones in Consul’s words, and the leader checks the forwarded token', async (t) => {
  const servers = await startServers(t, 3, ACL);
  const root = { 'X-Consul-Token': ROOT };
  for (const s of servers) await waitFor(async () => (await send(s, 'GET', '/v1/acl/policies', root)).status === 200, 30_000, 50);
  const leader = leaderOf(servers);
  const follower = servers.find((s) => s !== leader);
  if (!leader || !follower) return t.fail('no leader');

  // The whole script with the management token, as above.
  const before = records(follower);
  const fast = await script(follower, leader, 'afast', '', root);
  t.true(records(follower) - before >= 19, 'the writes went to the leader as records');
  sameAnswers(t, fast, await script(leader, leader, 'aleader', '', root), 'follower vs leader');

  const policy = await send(leader, 'PUT', '/v1/acl/policy', root, JSON.stringify({ Name: 'fw', Rules: 'key_prefix "fw/" { policy = "write" }' }));
  t.is(policy.status, 200, policy.body.toString());
  const token = (JSON.parse((await send(leader, 'PUT', '/v1/acl/token', root, JSON.stringify({ Policies: [{ Name: 'fw' }] }))).body.toString()) as { SecretID: string }).SecretID;
  const scoped = { 'X-Consul-Token': token };
  await waitFor(async () => (await send(follower, 'PUT', '/v1/kv/fw/ready', scoped, 'v')).body.toString() === 'true', 15_000, 50);

  const cases: [string, string, Record<string, string>, string | undefined][] = [
    ['PUT', '/v1/kv/fw/ok', scoped, 'v'],
    ['DELETE', '/v1/kv/fw/ok', scoped, undefined],
    ['PUT', '/v1/kv/other', scoped, 'v'],
    ['DELETE', '/v1/kv/other', scoped, undefined],
    ['DELETE', '/v1/kv/f?recurse', scoped, undefined],
    ['DELETE', '/v1/kv/fw/?recurse', scoped, undefined],
    ['PUT', '/v1/kv/fw/x', {}, 'v'],
    ['PUT', '/v1/kv/fw/x', { 'X-Consul-Token': 'no-such-token' }, 'v'],
  ];
  for (const [method, path, headers, body] of cases) {
    const viaFollower = seen(await send(follower, method, path, headers, body));
    const viaLeader = seen(await send(leader, method, path, headers, body));
    t.deepEqual(viaFollower, viaLeader, `${method} ${path}`);
  }
  const denied = await send(follower, 'PUT', '/v1/kv/other', scoped, 'v');
  t.is(denied.status, 403);
  t.regex(denied.body.toString(), /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "other"$/);
  const deniedTree = await send(follower, 'DELETE', '/v1/kv/f?recurse', scoped);
  t.is(deniedTree.status, 403);
  t.regex(deniedTree.body.toString(), /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write'/);

  // A record the follower sends with a token that may not write: the leader refuses it itself.
  const sent = records(follower);
  const refused = await clusterOf(follower)
    .write({ type: 'kv', op: { Verb: 'set', Key: 'other', Value: null, Flags: 0 } }, token)
    .then(
      () => undefined,
      (err: unknown) => err as { status?: number; message: string },
    );
  t.is(records(follower), sent + 1, 'sent as a record');
  t.is(refused?.status, 403);
  t.regex(refused?.message ?? '', /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "other"$/);
  t.is((await send(leader, 'GET', '/v1/kv/other', root)).status, 404, 'nothing was written');
});
