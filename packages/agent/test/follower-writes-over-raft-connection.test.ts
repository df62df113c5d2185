/**
 * Writes taken by a follower's HTTP API reach the leader on the Raft connection (the framed
 * transport's requests, not a gRPC call) and are answered exactly as the leader answers them:
 * flags, check-and-set, lock acquire and release, ACL denials and errors with their status and
 * text, and a leadership change in the middle of a stream of writes.
 */
import test from 'ava';
import type { ServerCluster } from '../src/cluster/server-cluster.js';
import { type Member, http, leaderOf, startServers } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';

const ROOT = '5d0c8e1a-2b3f-4c6d-8e9f-0a1b2c3d4e5f';
const ACL = { acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: ROOT } } };

const counts = (m: Member) => (m.agent.context.cluster as ServerCluster).leaderChannel.counts;

function req(m: Member, method: string, path: string, token: string | undefined = ROOT, body?: string) {
  return http(m.base, path, { method, headers: token ? { 'X-Consul-Token': token } : {}, ...(body === undefined ? {} : { body }) });
}

async function entry(m: Member, key: string): Promise<{ Flags: number; Value: string | null; ModifyIndex: number; Session?: string }> {
  const r = await req(m, 'GET', `/v1/kv/${key}`);
  if (r.status !== 200) throw new Error(`GET ${key}: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { Flags: number; Value: string | null; ModifyIndex: number; Session?: string }[])[0]!;
}

test('a follower forwards KV and session writes on the Raft connection with the leader’s answers, across a leader change', async (t) => {
  const servers = await startServers(t, 3, ACL);
  for (const s of servers) await waitFor(async () => (await req(s, 'GET', '/v1/acl/policies')).status === 200, 30_000, 50);
  const leader = leaderOf(servers);
  const follower = servers.find((s) => s !== leader);
  const third = servers.find((s) => s !== leader && s !== follower);
  if (!leader || !follower || !third) return t.fail('no leader');
  const sentBefore = counts(follower).sent;
  const answeredBefore = counts(leader).answered;

  // A set with flags.
  t.is((await req(follower, 'PUT', '/v1/kv/fw/a?flags=42', ROOT, 'one')).text, 'true');
  const a = await entry(leader, 'fw/a');
  t.is(a.Flags, 42);
  t.is(Buffer.from(a.Value ?? '', 'base64').toString(), 'one');

  // Check-and-set: create-only, then a stale and the current index.
  t.is((await req(follower, 'PUT', '/v1/kv/fw/c?cas=0', ROOT, 'x')).text, 'true');
  t.is((await req(follower, 'PUT', '/v1/kv/fw/c?cas=0', ROOT, 'y')).text, 'false', 'cas=0 on an existing key');
  const c = await entry(leader, 'fw/c');
  t.is((await req(follower, 'PUT', `/v1/kv/fw/c?cas=${c.ModifyIndex + 1000}`, ROOT, 'y')).text, 'false', 'a wrong index');
  t.is((await req(follower, 'PUT', `/v1/kv/fw/c?cas=${c.ModifyIndex}`, ROOT, 'z')).text, 'true', 'the current index');
  t.is(Buffer.from((await entry(leader, 'fw/c')).Value ?? '', 'base64').toString(), 'z');

  // A lock: two sessions made through the follower, one holds it.
  const s1 = JSON.parse((await req(follower, 'PUT', '/v1/session/create', ROOT, '{"Name":"one"}')).text) as { ID: string };
  const s2 = JSON.parse((await req(follower, 'PUT', '/v1/session/create', ROOT, '{"Name":"two"}')).text) as { ID: string };
  t.regex(s1.ID, /^[0-9a-f-]{36}$/);
  t.is((await req(follower, 'PUT', `/v1/kv/fw/lock?acquire=${s1.ID}`, ROOT, 'held')).text, 'true');
  t.is((await req(follower, 'PUT', `/v1/kv/fw/lock?acquire=${s2.ID}`, ROOT, 'taken')).text, 'false', 'held by another session');
  t.is((await entry(leader, 'fw/lock')).Session, s1.ID);
  t.is((await req(follower, 'PUT', `/v1/kv/fw/lock?release=${s2.ID}`, ROOT)).text, 'false', 'not the holder');
  t.is((await req(follower, 'PUT', `/v1/kv/fw/lock?release=${s1.ID}`, ROOT)).text, 'true');
  t.is((await entry(leader, 'fw/lock')).Session, undefined);

  // Refusals and errors: the follower answers what the leader answers, status and text.
  const policy = await req(leader, 'PUT', '/v1/acl/policy', ROOT, JSON.stringify({ Name: 'fw', Rules: 'key_prefix "fw/" { policy = "write" }' }));
  t.is(policy.status, 200, policy.text);
  const token = (JSON.parse((await req(leader, 'PUT', '/v1/acl/token', ROOT, JSON.stringify({ Policies: [{ Name: 'fw' }] }))).text) as { SecretID: string }).SecretID;
  await waitFor(async () => (await req(follower, 'PUT', '/v1/kv/fw/tok', token, 'v')).text === 'true', 15_000, 50);
  const cases: [string, string, string | undefined, string | undefined][] = [
    ['PUT', '/v1/kv/other', token, 'v'],
    ['PUT', '/v1/kv/fw/x', '', 'v'],
    ['PUT', '/v1/kv/fw/x', 'no-such-token', 'v'],
    ['PUT', '/v1/kv/fw/x?acquire=00000000-0000-4000-8000-000000000000', ROOT, 'v'],
    ['DELETE', '/v1/kv/other', token, undefined],
  ];
  for (const [method, path, tok, body] of cases) {
    const viaLeader = await req(leader, method, path, tok, body);
    const viaFollower = await req(follower, method, path, tok, body);
    t.deepEqual({ status: viaFollower.status, text: viaFollower.text }, { status: viaLeader.status, text: viaLeader.text }, `${method} ${path}`);
  }
  const denied = await req(follower, 'PUT', '/v1/kv/other', token, 'v');
  t.is(denied.status, 403);
  t.regex(denied.text, /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "other"$/);

  const sent = counts(follower).sent - sentBefore;
  t.true(sent >= 12, `the follower sent ${sent} calls on the Raft connection`);
  t.true(counts(leader).answered - answeredBefore >= sent, 'the leader answered them');

  // A stream of writes through the follower while leadership moves to the third server.
  const acked = new Map<string, string>();
  const failed: string[] = [];
  let stop = false;
  // Two write through the follower, two through the old leader's KV fast path (whose writes in
  // flight when it steps down are passed on to the new leader with their token).
  const writer = async (w: number) => {
    const through = w < 2 ? follower : leader;
    for (let i = 0; i < 400 && !stop; i++) {
      const key = `fw/stream/${w}/${i}`;
      const r = await req(through, 'PUT', `/v1/kv/${key}`, ROOT, `v${i}`);
      if (r.status === 200 && r.text === 'true') acked.set(key, `v${i}`);
      else failed.push(`${r.status} ${r.text}`);
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await waitFor(() => acked.size >= 20, 20_000, 20);
  const moved = await req(follower, 'POST', `/v1/operator/raft/transfer-leader?id=${third.agent.config.nodeId}`, ROOT);
  t.is(moved.status, 200, moved.text);
  await waitFor(() => leaderOf(servers) === third, 20_000, 20);
  const afterChange = acked.size;
  await waitFor(() => acked.size >= afterChange + 20, 20_000, 20);
  stop = true;
  await Promise.all(writers);
  for (const f of failed) t.regex(f, /^500 /, 'a write that failed during the change says why');
  t.true(failed.length <= 8, `${failed.length} writes failed: ${failed.join('; ')}`);
  t.true(counts(third).answered > 0, 'the new leader answers forwarded writes');
  // Every acknowledged write is there.
  const listed = JSON.parse((await req(third, 'GET', '/v1/kv/fw/stream/?recurse')).text) as { Key: string; Value: string }[];
  const stored = new Map(listed.map((e) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
  for (const [key, value] of acked) t.is(stored.get(key), value, key);
});
