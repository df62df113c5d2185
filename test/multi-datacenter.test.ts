import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import test from 'ava';
import { concord } from './_agent.js';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { FAST_WAN, wanNames } from './_wan.js';

const wanPort = (p: Proc) => p.serfWanPort;

test('two datacenters federated over the WAN: reads, writes, sessions, txn and DNS across them, and a datacenter lost', async (t) => {
  const c = new ProcessCluster(t);
  const s1 = await c.startServer({ expect: 1, config: { datacenter: 'dc1', ...FAST_WAN } });
  const s2 = await c.startServer({ expect: 1, config: { datacenter: 'dc2', ...FAST_WAN } });
  const client = await c.startClient({ join: s1, dns: true, config: { datacenter: 'dc1' } });
  await c.waitForLeader([s1]);
  await c.waitForLeader([s2]);
  t.true(wanPort(s1) > 0 && wanPort(s2) > 0);
  t.regex(client.log, /WAN: -1\)/, 'a client agent has no WAN pool');

  // WAN join with the CLI; both servers list both, named <node>.<dc>.
  const join = await concord(['join', '-wan', `127.0.0.1:${wanPort(s1)}`], httpAddr(s2));
  t.is(join.code, 0, join.stderr);
  const expected = [`${s1.name}.dc1`, `${s2.name}.dc2`].sort();
  for (const s of [s1, s2]) {
    t.deepEqual(await until(async () => ((await wanNames(s)).length === 2 ? wanNames(s) : undefined), 20_000, `${s.name} to see both WAN members`), expected);
  }
  // The LAN pools stay apart; a client agent is in no WAN pool and cannot join one.
  const lan1 = JSON.parse((await getText(httpAddr(s1), '/v1/agent/members')).text) as { Name: string }[];
  t.deepEqual(lan1.map((m) => m.Name).sort(), [client.name, s1.name].sort());
  t.deepEqual(JSON.parse((await getText(httpAddr(client), '/v1/agent/members?wan=1')).text), []);
  const clientJoin = await getText(httpAddr(client), `/v1/agent/join/127.0.0.1:${wanPort(s1)}?wan=1`, { method: 'PUT' });
  t.is(clientJoin.status, 500);
  t.regex(clientJoin.text, /Must be a server to join WAN cluster/);

  const self1 = JSON.parse((await getText(httpAddr(s1), '/v1/agent/self')).text) as { Stats: { consul: { known_datacenters: string } } };
  t.is(self1.Stats.consul.known_datacenters, '2');

  // Every agent lists both datacenters, its own first.
  t.deepEqual(JSON.parse((await getText(httpAddr(client), '/v1/catalog/datacenters')).text), ['dc1', 'dc2']);
  t.deepEqual(JSON.parse((await getText(httpAddr(s2), '/v1/catalog/datacenters')).text), ['dc2', 'dc1']);

  // A KV write to dc2 through dc1's client lands in dc2 only.
  const put = await getText(httpAddr(client), '/v1/kv/shared/greeting?dc=dc2', { method: 'PUT', body: 'hello from dc1' });
  t.is(put.status, 200, put.text);
  t.is((await getText(httpAddr(s2), '/v1/kv/shared/greeting?raw')).text, 'hello from dc1');
  t.is((await getText(httpAddr(s1), '/v1/kv/shared/greeting')).status, 404);
  t.is((await getText(httpAddr(client), '/v1/kv/shared/greeting')).status, 404);
  const cliGet = await concord(['kv', 'get', '-datacenter', 'dc2', 'shared/greeting'], httpAddr(client));
  t.is(cliGet.code, 0, cliGet.stderr);
  t.is(cliGet.stdout.trim(), 'hello from dc1');

  // Sessions and transactions stay per datacenter too.
  const cliPut = await concord(['kv', 'put', '-datacenter', 'dc2', 'shared/mode', 'blue'], httpAddr(client));
  t.is(cliPut.code, 0, cliPut.stderr);
  t.is((await getText(httpAddr(s2), '/v1/kv/shared/mode?raw')).text, 'blue');
  const session = await getText(httpAddr(client), '/v1/session/create?dc=dc2', { method: 'PUT', body: JSON.stringify({ Node: s2.name, Name: 'dc2-lock' }) });
  t.is(session.status, 200, session.text);
  const { ID } = JSON.parse(session.text) as { ID: string };
  const sessionsIn = async (p: Proc, q = '') => (JSON.parse((await getText(httpAddr(p), `/v1/session/list${q}`)).text) as { ID: string }[]).map((x) => x.ID);
  t.deepEqual(await sessionsIn(s2), [ID]);
  t.deepEqual(await sessionsIn(client), []);
  t.deepEqual(await sessionsIn(client, '?dc=dc2'), [ID]);
  const txn = await getText(httpAddr(client), '/v1/txn?dc=dc2', { method: 'PUT', body: JSON.stringify([{ KV: { Verb: 'get', Key: 'shared/mode' } }]) });
  t.is(txn.status, 200, txn.text);
  t.is(Buffer.from((JSON.parse(txn.text) as { Results: { KV: { Value: string } }[] }).Results[0]?.KV.Value ?? '', 'base64').toString(), 'blue');

  // A catalog write whose body names dc2 registers there, not here.
  const reg = {
    Datacenter: 'dc2',
    Node: 'ext-db',
    Address: '10.20.0.9',
    Service: { Service: 'db', Port: 5432 },
  };
  const regRes = await getText(httpAddr(client), '/v1/catalog/register', { method: 'PUT', body: JSON.stringify(reg) });
  t.is(regRes.status, 200, regRes.text);
  const nodesIn = async (p: Proc, q = '') => (JSON.parse((await getText(httpAddr(p), `/v1/catalog/nodes${q}`)).text) as { Node: string }[]).map((n) => n.Node);
  t.true((await nodesIn(s2)).includes('ext-db'));
  t.false((await nodesIn(s1)).includes('ext-db'));
  // Catalog and health reads across datacenters, through the client.
  t.deepEqual((await nodesIn(client, '?dc=dc2')).sort(), ['ext-db', s2.name].sort());
  const health = JSON.parse((await getText(httpAddr(client), '/v1/health/service/db?dc=dc2')).text) as { Node: { Node: string; Datacenter: string } }[];
  t.deepEqual(
    health.map((e) => [e.Node.Node, e.Node.Datacenter]),
    [['ext-db', 'dc2']],
  );
  t.deepEqual(JSON.parse((await getText(httpAddr(client), '/v1/health/service/db')).text), []);
  const cliNodes = await concord(['catalog', 'nodes', '-datacenter', 'dc2'], httpAddr(client));
  t.is(cliNodes.code, 0, cliNodes.stderr);
  t.regex(cliNodes.stdout, /ext-db\s/);

  // DNS through dc1's client: dc2's names answered through dc2, dc1's own names unaffected.
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([`127.0.0.1:${client.dnsPort}`]);
  t.deepEqual(await resolver.resolve4('db.service.dc2.consul'), ['10.20.0.9']);
  t.deepEqual(await resolver.resolve4('ext-db.node.dc2.consul'), ['10.20.0.9']);
  const srv = await resolver.resolveSrv('db.service.dc2.dc.consul');
  t.deepEqual(
    srv.map((r) => [r.port, r.name]),
    [[5432, 'ext-db.node.dc2.consul']],
  );
  await t.throwsAsync(resolver.resolve4('db.service.consul'), { code: 'ENOTFOUND' });
  await t.throwsAsync(resolver.resolve4('db.service.dc9.consul'), { code: 'ENOTFOUND' });
  // A datacenter nobody knows: Consul's error.
  const unknown = await getText(httpAddr(client), '/v1/kv/shared/greeting?dc=dc9');
  t.is(unknown.status, 500);
  t.is(unknown.text, 'No path to datacenter');

  // dc2 lost: its requests fail fast with Consul's error, dc1 carries on.
  await c.kill(s2);
  const started = Date.now();
  const lost = await getText(httpAddr(client), '/v1/kv/shared/greeting?dc=dc2');
  t.is(lost.status, 500);
  t.is(lost.text, 'No path to datacenter');
  t.true(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
  const lostWrite = await getText(httpAddr(client), '/v1/catalog/register', { method: 'PUT', body: JSON.stringify(reg) });
  t.is(lostWrite.status, 500);
  t.is(lostWrite.text, 'No path to datacenter');
  await t.throwsAsync(resolver.resolve4('db.service.dc2.consul'), { code: 'ENOTFOUND' });
  const local = await getText(httpAddr(client), '/v1/kv/local/still?dc=dc1', { method: 'PUT', body: 'up' });
  t.is(local.status, 200, local.text);
  t.is((await getText(httpAddr(client), '/v1/kv/local/still?raw')).text, 'up');
});

test('the WAN pool is encrypted with the LAN keyring: -retry-join-wan with the same key joins, another key cannot, and a server that leaves leaves it', async (t) => {
  const c = new ProcessCluster(t);
  const key = randomBytes(32).toString('base64');
  const s1 = await c.startServer({ expect: 1, config: { datacenter: 'east', encrypt: key, ...FAST_WAN } });
  const s2 = await c.startServer({
    expect: 1,
    config: { datacenter: 'west', encrypt: key, retry_join_wan: [`127.0.0.1:${s1.serfWanPort}`], retry_interval: '1s', ...FAST_WAN },
  });
  const expected = [`${s1.name}.east`, `${s2.name}.west`].sort();
  for (const s of [s1, s2]) {
    t.deepEqual(await until(async () => ((await wanNames(s)).length === 2 ? wanNames(s) : undefined), 20_000, `${s.name} to see both WAN members`), expected);
  }
  const self = JSON.parse((await getText(httpAddr(s1), '/v1/agent/self')).text) as { Stats: { serf_lan: { encrypted: string } } };
  t.is(self.Stats.serf_lan.encrypted, 'true');

  const stranger = await c.startServer({ expect: 1, config: { datacenter: 'north', encrypt: randomBytes(32).toString('base64'), ...FAST_WAN } });
  const refused = await getText(httpAddr(stranger), `/v1/agent/join/127.0.0.1:${s1.serfWanPort}?wan=1`, { method: 'PUT' });
  t.is(refused.status, 500);
  t.regex(refused.text, /^Failed to join 127\.0\.0\.1:\d+: /);
  t.deepEqual(await wanNames(s1), expected, 'nobody with another key got in');
  t.deepEqual(JSON.parse((await getText(httpAddr(s1), '/v1/catalog/datacenters')).text), ['east', 'west']);

  // A server that leaves gracefully leaves the WAN pool too: its datacenter is no longer listed.
  const left = await concord(['leave'], httpAddr(s2));
  t.is(left.code, 0, left.stderr);
  await until(
    async () => {
      const r = await concord(['members', '-wan'], httpAddr(s1));
      return /\bleft\b/.test(r.stdout.split('\n').find((l) => l.startsWith(`${s2.name}.west`)) ?? '');
    },
    20_000,
    `${s2.name}.west to be left in the WAN pool`,
  );
  t.deepEqual(JSON.parse((await getText(httpAddr(s1), '/v1/catalog/datacenters')).text), ['east']);
  const gone = await getText(httpAddr(s1), '/v1/kv/x?dc=west');
  t.is(gone.text, 'No path to datacenter');
});
