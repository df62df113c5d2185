import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, eventually, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

async function get<T = any>(path: string): Promise<T> {
  const r = await call(agent, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r.json<T>();
}

async function put(path: string, body?: object): Promise<void> {
  const r = await call(agent, 'PUT', path, body);
  if (r.status !== 200) throw new Error(`PUT ${path}: ${r.status} ${r.text}`);
}

const agentCheck = async (id: string) => (await get<Record<string, any>>('/v1/agent/checks'))[id];

test('agent/self and agent/members describe this single server', async (t) => {
  const self = await consul.agent.self();
  t.is(self.Config.NodeName, agent.node);
  t.is(self.Config.Datacenter, 'dc1');
  t.true(self.Config.Server);
  t.is(typeof self.Stats, 'object');
  t.is(self.Member.Name, agent.node);
  const members = await consul.agent.members();
  t.is(members.length, 1);
  t.like(members[0], { Name: agent.node, Status: 1, Tags: { role: 'consul', dc: 'dc1' } });
});

test('status leader and peers name this server, and the raft configuration has it as the voting leader', async (t) => {
  const leader = await consul.status.leader();
  t.regex(leader as unknown as string, /^127\.0\.0\.1:\d+$/);
  const peers = await consul.status.peers();
  t.deepEqual(peers, [leader]);
  const raft = await get('/v1/operator/raft/configuration');
  t.is(raft.Servers.length, 1);
  t.like(raft.Servers[0], { Node: agent.node, Address: leader, Leader: true, Voter: true, ProtocolVersion: '3' });
  t.true(raft.Index >= 1);
});

test('a service registered with an HTTP check gets check service:<id>, the default name and starts critical', async (t) => {
  await consul.agent.service.register({
    name: 'web',
    id: 'web1',
    tags: ['v1'],
    address: '127.0.0.1',
    port: 8080,
    meta: { ver: '1' },
    check: { http: 'http://127.0.0.1:1/health', interval: '10s', timeout: '1s' },
  } as never);
  const services = await consul.agent.service.list();
  t.like(services.web1, { ID: 'web1', Service: 'web', Tags: ['v1'], Port: 8080, Address: '127.0.0.1', Meta: { ver: '1' } });
  t.deepEqual(services.web1?.Weights, { Passing: 1, Warning: 1 });
  const check = await agentCheck('service:web1');
  t.like(check, { CheckID: 'service:web1', Name: "Service 'web' check", Status: 'critical', ServiceID: 'web1', ServiceName: 'web', Type: 'http' });

  const inCatalog = await eventually(async () => (await get<any[]>('/v1/catalog/service/web')).find((s) => s.ServiceID === 'web1'), 2000, 'web1 in the catalog');
  t.is(inCatalog.Node, agent.node);
  t.is(inCatalog.ServicePort, 8080);
  const healthChecks = await get<any[]>('/v1/health/checks/web');
  t.like(
    healthChecks.find((c) => c.CheckID === 'service:web1'),
    { Status: 'critical', Name: "Service 'web' check" },
  );
  t.deepEqual(await get('/v1/health/service/web?passing'), []);

  const one = await call(agent, 'GET', '/v1/agent/service/web1');
  t.is(one.status, 200);
  t.truthy(one.headers.get('x-consul-contenthash'));
  t.is(one.json().ContentHash, one.headers.get('x-consul-contenthash'));
  const health = await call(agent, 'GET', '/v1/agent/health/service/id/web1?format=text');
  t.is(health.status, 503);
  t.is(health.text, 'critical');
});

test('a service with two checks numbers their IDs service:<id>:1 and :2', async (t) => {
  await put('/v1/agent/service/register', {
    Name: 'multi',
    Checks: [
      { TTL: '30s', Status: 'passing' },
      { TCP: '127.0.0.1:1', Interval: '30s' },
    ],
  });
  const checks = await get<Record<string, any>>('/v1/agent/checks');
  t.like(checks['service:multi:1'], { ServiceID: 'multi', Status: 'passing', Name: "Service 'multi' check" });
  t.like(checks['service:multi:2'], { ServiceID: 'multi', Status: 'critical' });
});

test('deregistering a service removes it and its checks; an unknown id is a 404', async (t) => {
  await put('/v1/agent/service/register', { Name: 'gone', Check: { TTL: '30s' } });
  await eventually(async () => (await get<any[]>('/v1/catalog/service/gone')).length === 1, 2000, 'gone in the catalog');
  await consul.agent.service.deregister('gone');
  t.false('gone' in (await get('/v1/agent/services')));
  t.is(await agentCheck('service:gone'), undefined);
  await eventually(async () => (await get<any[]>('/v1/catalog/service/gone')).length === 0, 2000, 'gone out of the catalog');
  t.deepEqual(await get('/v1/health/checks/gone'), []);
  const unknown = await call(agent, 'PUT', '/v1/agent/service/deregister/never-registered');
  t.is(unknown.status, 404);
});

test('a TTL check follows pass, warn, fail and update, and turns critical with TTL expired after its TTL', async (t) => {
  await put('/v1/agent/service/register', { Name: 'ttlsvc', ID: 'ttl1', Check: { TTL: '2s' } });
  t.is((await agentCheck('service:ttl1')).Status, 'critical');

  await consul.agent.check.pass({ id: 'service:ttl1', note: 'ok' });
  t.like(await agentCheck('service:ttl1'), { Status: 'passing', Output: 'ok' });
  await eventually(async () => (await get<any[]>('/v1/health/checks/ttlsvc'))[0]?.Status === 'passing', 2000, 'the passing status in the catalog');
  t.deepEqual(
    (await get<any[]>('/v1/health/service/ttlsvc?passing')).map((e) => e.Service.ID),
    ['ttl1'],
  );

  await consul.agent.check.warn({ id: 'service:ttl1', note: 'hmm' });
  t.like(await agentCheck('service:ttl1'), { Status: 'warning', Output: 'hmm' });
  await consul.agent.check.fail({ id: 'service:ttl1', note: 'bad' });
  t.like(await agentCheck('service:ttl1'), { Status: 'critical', Output: 'bad' });
  await put('/v1/agent/check/update/service:ttl1', { Status: 'passing', Output: 'fine again' });
  t.like(await agentCheck('service:ttl1'), { Status: 'passing', Output: 'fine again' });
  const invalid = await call(agent, 'PUT', '/v1/agent/check/update/service:ttl1', { Status: 'sideways' });
  t.is(invalid.status, 400);
  t.is(invalid.text, "Invalid check status: 'sideways'");
  t.is((await agentCheck('service:ttl1')).Status, 'passing');

  const updatedAt = Date.now();
  const expired = await eventually(
    async () => {
      const c = await agentCheck('service:ttl1');
      return c.Status === 'critical' ? c : undefined;
    },
    5000,
    'the TTL to expire',
  );
  t.true(Date.now() - updatedAt >= 1500, 'not before the TTL');
  t.true(expired.Output.startsWith('TTL expired'), expired.Output);
  await eventually(async () => (await get<any[]>('/v1/health/checks/ttlsvc'))[0]?.Status === 'critical', 2000, 'the expiry in the catalog');
});

test('TTL endpoints are PUT only (405 with Allow) and refuse checks without a TTL', async (t) => {
  const r = await call(agent, 'GET', '/v1/agent/check/pass/whatever');
  t.is(r.status, 405);
  t.is(r.headers.get('allow'), 'OPTIONS,PUT');
  t.is(r.text, 'method GET not allowed');
  await put('/v1/agent/service/register', { Name: 'nottl', Check: { TCP: '127.0.0.1:1', Interval: '30s' } });
  const notTtl = await call(agent, 'PUT', '/v1/agent/check/pass/service:nottl');
  t.is(notTtl.status, 500);
  t.is(notTtl.text, 'CheckID "service:nottl" does not have associated TTL');
  const unknown = await call(agent, 'PUT', '/v1/agent/check/pass/no-such-check');
  t.true(unknown.status === 404 || unknown.status === 500, `${unknown.status}`);
  t.regex(unknown.text, /no-such-check/);
});

// Serial: a critical node-level check fails every `?passing` health query on this node, so it must
// not overlap the tests that read `?passing` (ava runs serial tests before the concurrent ones).
test.serial('a standalone check registers under its name, starts critical, and needs a name', async (t) => {
  await consul.agent.check.register({ name: 'mem', ttl: '30s', notes: 'memory' } as never);
  t.like(await agentCheck('mem'), { CheckID: 'mem', Name: 'mem', Status: 'critical', Notes: 'memory', ServiceID: '' });
  await eventually(async () => (await get<any[]>(`/v1/health/node/${agent.node}`)).some((c) => c.CheckID === 'mem'), 2000, 'the node check in the catalog');
  const noName = await call(agent, 'PUT', '/v1/agent/check/register', { TTL: '30s' });
  t.is(noName.status, 400);
  t.is(noName.text, 'Missing check name');
  await consul.agent.check.deregister('mem');
  t.is(await agentCheck('mem'), undefined);
});

test('a service registration without a name is a 400 Missing service name', async (t) => {
  const r = await call(agent, 'PUT', '/v1/agent/service/register', { Port: 80 });
  t.is(r.status, 400);
  t.is(r.text, 'Missing service name');
  const addr = await call(agent, 'PUT', '/v1/agent/service/register', { Name: 'x', Address: '0.0.0.0' });
  t.is(addr.status, 400);
  t.false('x' in (await get('/v1/agent/services')));
});

test('service maintenance adds a critical _service_maintenance check and removes it again', async (t) => {
  await put('/v1/agent/service/register', { Name: 'maint', Check: { TTL: '60s', Status: 'passing' } });
  await eventually(async () => (await get<any[]>('/v1/health/service/maint?passing')).length === 1, 2000, 'maint passing');
  await put('/v1/agent/service/maintenance/maint?enable=true');
  t.like(await agentCheck('_service_maintenance:maint'), {
    Name: 'Service Maintenance Mode',
    Status: 'critical',
    ServiceID: 'maint',
    Notes: 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.',
  });
  await eventually(async () => (await get<any[]>('/v1/health/service/maint?passing')).length === 0, 2000, 'maint excluded');
  await put('/v1/agent/service/maintenance/maint?enable=false');
  t.is(await agentCheck('_service_maintenance:maint'), undefined);
  await eventually(async () => (await get<any[]>('/v1/health/service/maint?passing')).length === 1, 2000, 'maint back');
  const unknown = await call(agent, 'PUT', '/v1/agent/service/maintenance/no-such?enable=true');
  t.is(unknown.status, 404);
  const missing = await call(agent, 'PUT', '/v1/agent/service/maintenance/maint');
  t.is(missing.status, 400);
  t.is(missing.text, 'Missing value for enable');
});

test.serial('node maintenance adds a critical _node_maintenance check with the reason, and disabling removes it', async (t) => {
  await consul.agent.maintenance({ enable: true, reason: 'upgrading' });
  t.like(await agentCheck('_node_maintenance'), { Name: 'Node Maintenance Mode', Status: 'critical', Notes: 'upgrading', ServiceID: '' });
  await eventually(async () => (await get<any[]>('/v1/health/state/critical')).some((c) => c.CheckID === '_node_maintenance'), 2000, 'the maintenance check in the catalog');
  await consul.agent.maintenance(false);
  t.is(await agentCheck('_node_maintenance'), undefined);
  await eventually(
    async () => !(await get<any[]>(`/v1/health/node/${agent.node}`)).some((c) => c.CheckID === '_node_maintenance'),
    2000,
    'the maintenance check to leave the catalog',
  );
  const missing = await call(agent, 'PUT', '/v1/agent/maintenance');
  t.is(missing.status, 400);
  t.is(missing.text, 'Missing value for enable');
});
