import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

async function register(body: object): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/catalog/register', body);
  if (r.status !== 200 || r.text !== 'true') throw new Error(`register: ${r.status} ${r.text}`);
}

async function get<T = any>(path: string): Promise<T> {
  const r = await call(agent, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r.json<T>();
}

test('register, read back through every catalog endpoint, then deregister a service and a node', async (t) => {
  await consul.catalog.register({
    node: 'ext-db',
    address: '192.168.10.10',
    nodemeta: { rack: 'r1' },
    service: { id: 'redis1', service: 'redis', tags: ['primary'], address: '127.0.0.1', port: 8000, meta: { v: '4' } },
  } as never);
  await register({ Node: 'ext-db', Address: '192.168.10.10', Service: { Service: 'redis', Port: 8001 } });

  const services = await get<Record<string, string[]>>('/v1/catalog/services');
  t.deepEqual(services.consul, []);
  t.deepEqual(services.redis, ['primary']);
  t.deepEqual((await consul.catalog.service.list()).redis, ['primary']);

  const nodes = await get<{ Node: string; Address: string; Meta: Record<string, string>; Datacenter: string }[]>('/v1/catalog/nodes');
  const names = nodes.map((n) => n.Node);
  t.deepEqual(names, [...names].sort());
  const extDb = nodes.find((n) => n.Node === 'ext-db');
  t.is(extDb?.Address, '192.168.10.10');
  t.is(extDb?.Meta.rack, 'r1');
  t.is(extDb?.Datacenter, 'dc1');
  t.true(names.includes(agent.node));

  const redis = await get<any[]>('/v1/catalog/service/redis');
  t.deepEqual(
    redis.map((s) => s.ServiceID),
    ['redis', 'redis1'],
    'Service.ID defaults to the service name',
  );
  const r1 = redis.find((s) => s.ServiceID === 'redis1');
  t.like(r1, {
    Node: 'ext-db',
    Address: '192.168.10.10',
    Datacenter: 'dc1',
    ServiceName: 'redis',
    ServiceTags: ['primary'],
    ServiceAddress: '127.0.0.1',
    ServicePort: 8000,
    ServiceMeta: { v: '4' },
    ServiceWeights: { Passing: 1, Warning: 1 },
    ServiceEnableTagOverride: false,
  });
  t.deepEqual(redis.find((s) => s.ServiceID === 'redis')?.ServiceTags, [], 'ServiceTags is never null');
  t.true(r1.CreateIndex > 0 && r1.ModifyIndex >= r1.CreateIndex);

  const tagged = await get<any[]>('/v1/catalog/service/redis?tag=primary');
  t.deepEqual(
    tagged.map((s) => s.ServiceID),
    ['redis1'],
  );
  t.deepEqual(await get('/v1/catalog/service/redis?tag=nope'), []);
  t.deepEqual(
    ((await consul.catalog.service.nodes({ service: 'redis', tag: 'primary' })) as any[]).map((s) => s.ServiceID),
    ['redis1'],
  );

  const node = await get<any>('/v1/catalog/node/ext-db');
  t.is(node.Node.Node, 'ext-db');
  t.deepEqual(Object.keys(node.Services).sort(), ['redis', 'redis1']);
  t.is(node.Services.redis1.Port, 8000);
  const nodeServices = await get<any>('/v1/catalog/node-services/ext-db');
  t.true(Array.isArray(nodeServices.Services));
  t.is(nodeServices.Services.length, 2);

  t.is((await call(agent, 'PUT', '/v1/catalog/deregister', { Node: 'ext-db', ServiceID: 'redis' })).text, 'true');
  t.deepEqual(
    (await get<any[]>('/v1/catalog/service/redis')).map((s) => s.ServiceID),
    ['redis1'],
  );
  t.is((await call(agent, 'PUT', '/v1/catalog/deregister', { Node: 'ext-db' })).text, 'true');
  t.deepEqual(await get('/v1/catalog/service/redis'), []);
  t.is(await get('/v1/catalog/node/ext-db'), null);
  t.false((await get<{ Node: string }[]>('/v1/catalog/nodes')).some((n) => n.Node === 'ext-db'));
  t.false('redis' in (await get<Record<string, string[]>>('/v1/catalog/services')));
});

test('unknown service is [], unknown node is null, and the agent serves the consul service', async (t) => {
  const unknown = await call(agent, 'GET', '/v1/catalog/service/no-such-service');
  t.is(unknown.text, '[]');
  const node = await call(agent, 'GET', '/v1/catalog/node/no-such-node');
  t.is(node.status, 200);
  t.is(node.text, 'null');
  t.is((await call(agent, 'GET', '/v1/catalog/node-services/no-such-node')).text, 'null');
  const consulSvc = await get<any[]>('/v1/catalog/service/consul');
  t.is(consulSvc.length, 1);
  t.is(consulSvc[0].Node, agent.node);
  t.deepEqual(await get('/v1/catalog/datacenters'), ['dc1']);
  t.deepEqual(await get('/v1/health/service/no-such-service'), []);
  t.deepEqual(await get('/v1/health/checks/no-such-service'), []);
  t.deepEqual(await get('/v1/health/node/no-such-node'), []);
});

test('the agent node has a passing serfHealth check', async (t) => {
  const checks = await get<any[]>(`/v1/health/node/${agent.node}`);
  const serf = checks.find((c) => c.CheckID === 'serfHealth');
  t.like(serf, { Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable', ServiceID: '' });
});

test('health/service keeps only all-passing instances with ?passing, node-level checks included', async (t) => {
  const svc = (node: string, id: string, status: string, nodeStatus?: string) =>
    register({
      Node: node,
      Address: `10.1.0.${node.length}`,
      Service: { ID: id, Service: 'hweb', Tags: [id], Port: 80 },
      Checks: [{ CheckID: `svc:${id}`, Name: 'svc', Status: status, ServiceID: id }, ...(nodeStatus ? [{ CheckID: `node:${node}`, Name: 'node check', Status: nodeStatus }] : [])],
    });
  await svc('hn-pass', 'web-pass', 'passing', 'passing');
  await svc('hn-warn', 'web-warn', 'warning');
  await svc('hn-nodecrit', 'web-nodecrit', 'passing', 'critical');
  await svc('hn-crit', 'web-crit', 'critical');

  const ids = async (query: string) => (await get<any[]>(`/v1/health/service/hweb${query}`)).map((e) => e.Service.ID as string).sort();
  const all = ['web-crit', 'web-nodecrit', 'web-pass', 'web-warn'];
  t.deepEqual(await ids(''), all);
  t.deepEqual(await ids('?passing'), ['web-pass']);
  t.deepEqual(await ids('?passing=1'), ['web-pass']);
  t.deepEqual(await ids('?passing=true'), ['web-pass']);
  t.deepEqual(await ids('?passing=false'), all);
  t.deepEqual(await ids('?passing&tag=web-pass'), ['web-pass']);
  t.deepEqual(await ids('?tag=web-warn'), ['web-warn']);
  t.deepEqual(
    ((await consul.health.service({ service: 'hweb', passing: true })) as any[]).map((e) => e.Service.ID),
    ['web-pass'],
  );
  const bad = await call(agent, 'GET', '/v1/health/service/hweb?passing=maybe');
  t.is(bad.status, 400);
  t.is(bad.text, 'Invalid value for ?passing');

  const entry = (await get<any[]>('/v1/health/service/hweb?tag=web-nodecrit'))[0];
  t.is(entry.Node.Node, 'hn-nodecrit');
  t.deepEqual(entry.Checks.map((c: { CheckID: string }) => c.CheckID).sort(), ['node:hn-nodecrit', 'svc:web-nodecrit']);

  const checks = await get<any[]>('/v1/health/checks/hweb');
  t.deepEqual(checks.map((c) => c.CheckID).sort(), ['svc:web-crit', 'svc:web-nodecrit', 'svc:web-pass', 'svc:web-warn']);
  t.true(checks.every((c) => c.ServiceName === 'hweb' && Array.isArray(c.ServiceTags)));

  const nodeChecks = await get<any[]>('/v1/health/node/hn-nodecrit');
  t.deepEqual(nodeChecks.map((c) => c.CheckID).sort(), ['node:hn-nodecrit', 'svc:web-nodecrit']);

  const critical = (await get<any[]>('/v1/health/state/critical')).map((c) => c.CheckID);
  t.true(critical.includes('svc:web-crit'));
  t.true(critical.includes('node:hn-nodecrit'));
  t.false(critical.includes('svc:web-pass'));
  const warning = (await get<any[]>('/v1/health/state/warning')).map((c) => c.CheckID);
  t.true(warning.includes('svc:web-warn'));
  const any = (await get<any[]>('/v1/health/state/any')).map((c) => c.CheckID);
  for (const id of ['svc:web-crit', 'svc:web-warn', 'svc:web-pass', 'serfHealth']) t.true(any.includes(id), id);
  t.is((await call(agent, 'GET', '/v1/health/state/bogus')).status, 400);
  t.deepEqual(
    (await consul.health.state('warning')).map((c: { CheckID: string }) => c.CheckID).filter((id: string) => id.startsWith('svc:')),
    ['svc:web-warn'],
  );
});

test('a check with an invalid status is refused and nothing is registered', async (t) => {
  const r = await call(agent, 'PUT', '/v1/catalog/register', {
    Node: 'bad-status',
    Address: '10.9.9.9',
    Check: { CheckID: 'c', Name: 'c', Status: 'sideways' },
  });
  t.is(r.status, 400);
  t.is(await get('/v1/catalog/node/bad-status'), null);
});

test('catalog register needs a node and an address', async (t) => {
  const noNode = await call(agent, 'PUT', '/v1/catalog/register', { Address: '10.0.0.1' });
  t.is(noNode.status, 400);
  const noAddr = await call(agent, 'PUT', '/v1/catalog/register', { Node: 'no-addr' });
  t.is(noAddr.status, 400);
  t.is(await get('/v1/catalog/node/no-addr'), null);
});
