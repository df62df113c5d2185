import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateKey } from '@concord/gossip';
import test from 'ava';
import { http, leaderOf, startMember, startServers } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';

test('followers forward writes and default reads to the leader and answer stale reads themselves', async (t) => {
  const servers = await startServers(t);
  const leader = leaderOf(servers);
  const follower = servers.find((s) => s !== leader);
  if (!leader || !follower) return t.fail('no leader');
  t.is((await http(follower.base, '/v1/kv/fw', { method: 'PUT', body: 'one' })).text, 'true');
  const read = await http(follower.base, '/v1/kv/fw?raw');
  t.is(read.text, 'one');
  t.is(read.headers.get('x-consul-knownleader'), 'true');
  const stale = await waitFor(async () => {
    const r = await http(follower.base, '/v1/kv/fw?raw&stale');
    return r.status === 200 ? r : undefined;
  }, 5000);
  t.is(stale?.text, 'one');
  t.is(stale?.headers.get('x-consul-effective-consistency'), 'stale');
  t.regex(stale?.headers.get('x-consul-lastcontact') ?? '', /^\d+$/);
  const consistent = await http(follower.base, '/v1/kv/fw?raw&consistent');
  t.is(consistent.text, 'one');
  const status = JSON.parse((await http(follower.base, '/v1/status/leader')).text) as string;
  t.is(status, `127.0.0.1:${leader.agent.serverPort}`);
  t.is((JSON.parse((await http(follower.base, '/v1/status/peers')).text) as string[]).length, 3);
});

test('a client agent forwards state requests, serves DNS from the servers, and is in the catalog with serfHealth', async (t) => {
  const servers = await startServers(t);
  const client = await startMember(t, { join: servers[0], dns: true });
  t.is((await http(client.base, '/v1/kv/from-client', { method: 'PUT', body: 'c' })).text, 'true');
  t.is((await http(servers[1]?.base ?? '', '/v1/kv/from-client?raw')).text, 'c');
  const reg = await http(client.base, '/v1/agent/service/register', { method: 'PUT', body: JSON.stringify({ Name: 'web', ID: 'web1', Port: 8080 }) });
  t.is(reg.status, 200, reg.text);
  const inCatalog = await waitFor(async () => {
    const list = JSON.parse((await http(servers[2]?.base ?? '', '/v1/catalog/service/web')).text) as { Node: string; ServicePort: number }[];
    return list.length === 1 ? list[0] : undefined;
  }, 5000);
  t.is(inCatalog?.Node, client.name);
  t.is(inCatalog?.ServicePort, 8080);
  const serf = await waitFor(async () => {
    const checks = JSON.parse((await http(client.base, `/v1/health/node/${client.name}`)).text) as { CheckID: string; Status: string }[];
    return checks.find((c) => c.CheckID === 'serfHealth' && c.Status === 'passing');
  }, 5000);
  t.truthy(serf);
  const session = JSON.parse((await http(client.base, '/v1/session/create', { method: 'PUT', body: '{}' })).text) as { ID: string };
  const info = JSON.parse((await http(client.base, `/v1/session/info/${session.ID}`)).text) as { Node: string }[];
  t.is(info[0]?.Node, client.name, 'a session made through a client belongs to the client node');
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${client.agent.dnsPort}`]);
  const srv = await resolver.resolveSrv('web.service.consul');
  t.is(srv[0]?.port, 8080);
  const a = await resolver.resolve4(`${servers[0]?.name}.node.consul`);
  t.deepEqual(a, ['127.0.0.1']);
});

test('a blocking query on a client wakes when another agent writes', async (t) => {
  const servers = await startServers(t);
  const client = await startMember(t, { join: servers[0] });
  await http(client.base, '/v1/kv/watched', { method: 'PUT', body: '1' });
  const first = await http(client.base, '/v1/kv/watched');
  const index = Number(first.headers.get('x-consul-index'));
  const blocked = http(client.base, `/v1/kv/watched?index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 200));
  await http(servers[2]?.base ?? '', '/v1/kv/watched', { method: 'PUT', body: '2' });
  const woke = await blocked;
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  const [entry] = JSON.parse(woke.text) as { Value: string }[];
  t.is(Buffer.from(entry?.Value ?? '', 'base64').toString(), '2');
});

test('keyring operations reach every server and the client follows them', async (t) => {
  const k1 = generateKey();
  const k2 = generateKey();
  const config = { encrypt: k1 };
  const servers = await startServers(t, 3, config);
  const client = await startMember(t, { join: servers[0], config });
  const list = async () =>
    JSON.parse((await http(client.base, '/v1/operator/keyring')).text) as { Keys: Record<string, number>; PrimaryKeys: Record<string, number>; NumNodes: number }[];
  t.deepEqual((await list())[0]?.Keys, { [k1]: 3 });
  t.is((await http(client.base, '/v1/operator/keyring', { method: 'POST', body: JSON.stringify({ Key: k2 }) })).status, 200);
  t.is((await http(client.base, '/v1/operator/keyring', { method: 'PUT', body: JSON.stringify({ Key: k2 }) })).status, 200);
  t.is((await http(client.base, '/v1/operator/keyring', { method: 'DELETE', body: JSON.stringify({ Key: k1 }) })).status, 200);
  const after = (await list())[0];
  t.deepEqual(after?.Keys, { [k2]: 3 });
  t.deepEqual(after?.PrimaryKeys, { [k2]: 3 });
  const followed = await waitFor(
    () => {
      const keys = JSON.parse(readFileSync(join(client.dataDir, 'serf', 'local.keyring'), 'utf8')) as string[];
      return keys.length === 1 && keys[0] === k2;
    },
    8000,
    100,
  );
  t.true(followed);
  const bad = await http(client.base, '/v1/operator/keyring', { method: 'POST', body: '{"Key":"not-a-key"}' });
  t.is(bad.status, 500);
  t.regex(bad.text, /keyring/);
});

test('keyring operations on an agent without encryption fail with a reason', async (t) => {
  const servers = await startServers(t);
  const r = await http(servers[0]?.base ?? '', '/v1/operator/keyring');
  t.is(r.status, 500);
  t.regex(r.text, /gossip encryption is not enabled/);
  const missing = await http(servers[0]?.base ?? '', '/v1/operator/keyring', { method: 'POST', body: '{}' });
  t.is(missing.status, 400);
});

test('a snapshot saved through HTTP restores the state on every server', async (t) => {
  const servers = await startServers(t);
  const [a, b, c] = servers;
  if (!a || !b || !c) return t.fail();
  await http(a.base, '/v1/kv/keep', { method: 'PUT', body: 'before' });
  const saved = await fetch(`${b.base}/v1/snapshot`);
  t.is(saved.status, 200);
  t.truthy(Number(saved.headers.get('x-consul-index')));
  const bytes = Buffer.from(await saved.arrayBuffer());
  // every server answers ?stale from its own state (streamed), with the stale query headers
  for (const s of servers) {
    await waitFor(async () => ((await http(s.base, '/v1/kv/keep?raw&stale')).text === 'before' ? true : undefined), 5000);
    const stale = await fetch(`${s.base}/v1/snapshot?stale`);
    t.is(stale.status, 200);
    t.is(stale.headers.get('x-consul-effective-consistency'), 'stale');
    t.is(stale.headers.get('x-consul-knownleader'), 'true');
    const doc = JSON.parse(gunzipSync(Buffer.from(await stale.arrayBuffer())).toString('utf8')) as { state: { kv: { Key: string; Value: string }[] } };
    t.is(Buffer.from(doc.state.kv.find((e) => e.Key === 'keep')?.Value ?? '', 'base64').toString(), 'before');
  }
  await http(a.base, '/v1/kv/keep', { method: 'PUT', body: 'after' });
  await http(a.base, '/v1/kv/extra', { method: 'PUT', body: 'x' });
  const restored = await http(c.base, '/v1/snapshot', { method: 'PUT', body: bytes });
  t.is(restored.status, 200, restored.text);
  for (const s of servers) {
    const v = await waitFor(async () => {
      const r = await http(s.base, '/v1/kv/keep?raw&stale');
      return r.text === 'before' ? r : undefined;
    }, 5000);
    t.is(v?.text, 'before');
    t.is((await http(s.base, '/v1/kv/extra?stale')).status, 404);
  }
  const garbage = await http(a.base, '/v1/snapshot', { method: 'PUT', body: 'not a snapshot' });
  t.is(garbage.status, 400);
});

test('autopilot health and raft configuration list three voters; remove-peer drops one', async (t) => {
  const servers = await startServers(t, 3, { autopilot: { cleanup_dead_servers: false } });
  const base = servers[0]?.base ?? '';
  const health = await waitFor(
    async () => {
      const r = await http(base, '/v1/operator/autopilot/health');
      if (r.status !== 200) return undefined;
      const h = JSON.parse(r.text) as { Healthy: boolean; FailureTolerance: number; Servers: { Voter: boolean }[] };
      // A follower counts as healthy once the leader heard from it within last_contact_threshold,
      // which a loaded machine can miss for a while after the election.
      return h.Healthy ? h : undefined;
    },
    30_000,
    200,
  );
  t.true(health?.Healthy);
  t.is(health?.FailureTolerance, 1);
  t.is(health?.Servers.length, 3);
  const conf = JSON.parse((await http(base, '/v1/operator/raft/configuration')).text) as { Servers: { ID: string; Address: string; Leader: boolean; Node: string }[] };
  t.is(conf.Servers.length, 3);
  t.is(conf.Servers.filter((s) => s.Leader).length, 1);
  const victim = conf.Servers.find((s) => !s.Leader);
  const member = servers.find((s) => s.name === victim?.Node);
  // Ask the other follower, which forwards to the leader.
  const survivor = servers.find((s) => s !== member && !s.agent.context.server?.isLeader())?.base ?? '';
  await member?.agent.close();
  // As in Consul, the leader adds back a server that gossip still reports alive: remove it once
  // it is seen as failed (on a loaded machine that takes a while).
  const failed = await waitFor(
    async () => {
      const members = JSON.parse((await http(survivor, '/v1/agent/members')).text) as { Name: string; Status: number }[];
      return members.some((m) => m.Name === victim?.Node && m.Status !== 1);
    },
    30_000,
    100,
  );
  t.true(failed, 'the stopped server is seen as failed');
  const removed = await http(survivor, `/v1/operator/raft/peer?address=${encodeURIComponent(victim?.Address ?? '')}`, { method: 'DELETE' });
  t.is(removed.status, 200, removed.text);
  const after = JSON.parse((await http(survivor, '/v1/operator/raft/configuration')).text) as { Servers: unknown[] };
  t.is(after.Servers.length, 2);
  const unknown = await http(survivor, '/v1/operator/raft/peer?address=10.9.9.9:8300', { method: 'DELETE' });
  t.is(unknown.status, 500);
  t.is(unknown.text, 'address "10.9.9.9:8300" was not found in the Raft configuration');
  const unknownId = await http(survivor, '/v1/operator/raft/peer?id=nope', { method: 'DELETE' });
  t.is(unknownId.text, 'id "nope" was not found in the Raft configuration');
  t.is((await http(survivor, '/v1/operator/raft/peer', { method: 'DELETE' })).status, 400);
});

test('a server that leaves is removed from raft and shows as left', async (t) => {
  const servers = await startServers(t);
  const leaving = servers.find((s) => s !== leaderOf(servers));
  const other = servers.find((s) => s !== leaving);
  if (!leaving || !other) return t.fail();
  await leaving.agent.leave();
  const conf = await waitFor(
    async () => {
      const c = JSON.parse((await http(other.base, '/v1/operator/raft/configuration')).text) as { Servers: { Node: string }[] };
      return c.Servers.length === 2 ? c : undefined;
    },
    8000,
    100,
  );
  t.false(conf?.Servers.some((s) => s.Node === leaving.name) ?? true);
  const member = await waitFor(
    async () => {
      const members = JSON.parse((await http(other.base, '/v1/agent/members')).text) as { Name: string; Status: number }[];
      return members.find((m) => m.Name === leaving.name && m.Status === 3);
    },
    8000,
    100,
  );
  t.truthy(member);
  t.is((await http(other.base, '/v1/kv/still-works', { method: 'PUT', body: 'y' })).text, 'true');
});

test('without a quorum, writes answer 500 No cluster leader', async (t) => {
  const servers = await startServers(t);
  const [a, b, c] = servers;
  if (!a || !b || !c) return t.fail();
  await b.agent.close();
  await c.agent.close();
  // A write pending when leadership is lost fails with an unknown outcome; later ones find no leader.
  const seen: string[] = [];
  const r = await waitFor(
    async () => {
      const res = await http(a.base, '/v1/kv/nope', { method: 'PUT', body: 'x' });
      seen.push(`${res.status} ${res.text}`);
      return res.text === 'No cluster leader' ? res : undefined;
    },
    40_000,
    100,
  );
  t.is(r?.status, 500, seen.join('; '));
  t.true(
    seen.every((s) => s.startsWith('500 ')),
    seen.join('; '),
  );
});

test('a client agent repairs its service after it was deregistered from the catalog behind its back', async (t) => {
  const servers = await startServers(t);
  const client = await startMember(t, { join: servers[0], timings: { antiEntropyIntervalMs: 500 } });
  await http(client.base, '/v1/agent/service/register', { method: 'PUT', body: JSON.stringify({ Name: 'db', ID: 'db1', Port: 5432, Check: { TTL: '30s' } }) });
  await http(client.base, '/v1/agent/check/pass/service:db1', { method: 'PUT' });
  const present = async () => {
    const list = JSON.parse((await http(servers[1]?.base ?? '', '/v1/health/service/db?passing')).text) as unknown[];
    return list.length === 1;
  };
  t.true(await waitFor(present, 20_000, 100));
  const del = await http(servers[0]?.base ?? '', '/v1/catalog/deregister', { method: 'PUT', body: JSON.stringify({ Node: client.name, ServiceID: 'db1' }) });
  t.is(del.status, 200);
  t.true(await waitFor(present, 20_000, 100));
});

for (const allowStale of [true, false]) {
  test(`a server cut off from its leader ${allowStale ? 'still answers DNS from its own state' : 'fails DNS queries'} with allow_stale=${allowStale}`, async (t) => {
    const servers = await startServers(t, 3, { dns_config: { allow_stale: allowStale } }, true);
    const [a, b, c] = servers;
    if (!a || !b || !c) return t.fail();
    const resolver = new Resolver({ timeout: 12_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${a.agent.dnsPort}`]);
    // The leader registers the servers' nodes shortly after it is elected.
    t.truthy(await waitFor(async () => (await http(a.base, `/v1/catalog/node/${b.name}?stale`)).text !== 'null', 5000, 50));
    t.deepEqual(await resolver.resolve4(`${b.name}.node.consul`), ['127.0.0.1']);
    await b.agent.close();
    await c.agent.close();
    // Without a quorum the remaining server soon has no leader.
    await waitFor(() => !a.agent.context.cluster.knownLeader(), 10_000, 100);
    if (allowStale) t.deepEqual(await resolver.resolve4(`${b.name}.node.consul`), ['127.0.0.1']);
    else await t.throwsAsync(resolver.resolve4(`${b.name}.node.consul`), { code: 'ESERVFAIL' });
  });
}

test('force-leave with prune removes a failed client from every member list and the catalog', async (t) => {
  const servers = await startServers(t);
  const client = await startMember(t, { join: servers[0] });
  const base = servers[1]?.base ?? '';
  const inCatalog = async () => (await http(base, `/v1/catalog/node/${client.name}`)).text !== 'null';
  t.true(await waitFor(inCatalog, 30_000, 50));
  await client.agent.close();
  const failed = await waitFor(
    async () => {
      const members = JSON.parse((await http(base, '/v1/agent/members')).text) as { Name: string; Status: number }[];
      return members.some((m) => m.Name === client.name && m.Status === 4);
    },
    15_000,
    100,
  );
  t.true(failed);
  t.is((await http(base, `/v1/agent/force-leave/${client.name}?prune`, { method: 'PUT' })).status, 200);
  for (const s of servers) {
    const gone = await waitFor(
      async () => {
        const members = JSON.parse((await http(s.base, '/v1/agent/members')).text) as { Name: string }[];
        return !members.some((m) => m.Name === client.name);
      },
      5000,
      100,
    );
    t.true(gone, `${s.name} still lists the pruned member: ${(await http(s.base, '/v1/agent/members')).text.replace(/"Tags":\{[^}]*\},/g, '')}`);
  }
  t.true(await waitFor(async () => !(await inCatalog()), 5000, 100));
  const unknown = await http(base, '/v1/agent/force-leave/nobody', { method: 'PUT' });
  t.is(unknown.status, 500);
  t.is(unknown.text, "agent: No node found with name 'nobody'");
});
