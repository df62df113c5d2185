/**
 * Service IDs, check IDs, service names and node names may contain `/` and other reserved
 * characters: like Consul (`strings.TrimPrefix` of the decoded path), every endpoint that takes
 * one in its path takes the whole rest of the path, URL-decoded once, whether the `/` is sent raw
 * or as `%2F`. Nothing stale may remain after deregistration.
 */
import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, eventually, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

/** The two ways clients send an ID: `/` raw (Go's client), or every reserved character escaped. */
const SPELLINGS = {
  raw: (id: string) => id.split('/').map(encodeURIComponent).join('/'),
  escaped: (id: string) => encodeURIComponent(id),
} as const;

const IDS = ['a/b', 'deep/ly/nested/', 'with space/and+plus', 'ünï/cødé ✓', '100%/sure?#hash'];

interface AgentService {
  ID: string;
  Service: string;
}
interface AgentCheck {
  CheckID: string;
  Status: string;
  Output: string;
  ServiceID: string;
}
interface HealthEntry {
  Service: { ID: string };
  Checks: { CheckID: string; Status: string }[];
}

async function ok(method: string, path: string, body?: object): Promise<void> {
  const r = await call(agent, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

async function register(id: string, name: string): Promise<void> {
  await ok('PUT', '/v1/agent/service/register', { ID: id, Name: name, Port: 80, Check: { TTL: '60s' } });
}

const agentChecks = async () => (await call(agent, 'GET', '/v1/agent/checks')).json<Record<string, AgentCheck>>();
const agentServices = async () => (await call(agent, 'GET', '/v1/agent/services')).json<Record<string, AgentService>>();
const catalogIds = async (name: string) =>
  (await call(agent, 'GET', `/v1/catalog/service/${encodeURIComponent(name)}`))
    .json<{ ServiceID: string }[]>()
    .map((s) => s.ServiceID)
    .sort();
const healthOf = async (name: string) => (await call(agent, 'GET', `/v1/health/service/${encodeURIComponent(name)}`)).json<HealthEntry[]>();

for (const [spelling, enc] of Object.entries(SPELLINGS)) {
  test(`agent endpoints take service and check IDs with reserved characters (${spelling})`, async (t) => {
    const name = `svc-${spelling}`;
    const ids = IDS.map((id) => `${spelling}/${id}`);
    for (const id of ids) await register(id, name);
    await eventually(async () => (await catalogIds(name)).length === ids.length, 5000, 'services in the catalog');

    for (const id of ids) {
      const got = await call(agent, 'GET', `/v1/agent/service/${enc(id)}`);
      t.is(got.status, 200, `GET service ${id}: ${got.text}`);
      t.is(got.json<AgentService>().ID, id);

      const check = `service:${id}`;
      await ok('PUT', `/v1/agent/check/warn/${enc(check)}?note=${encodeURIComponent('slow')}`);
      t.is((await agentChecks())[check]?.Status, 'warning', `warn ${check}`);
      const health = await call(agent, 'GET', `/v1/agent/health/service/id/${enc(id)}?format=text`);
      t.deepEqual([health.status, health.text], [429, 'warning'], `health of ${id}`);

      await ok('PUT', `/v1/agent/check/fail/${enc(check)}`);
      t.is((await agentChecks())[check]?.Status, 'critical');
      const json = await call(agent, 'GET', `/v1/agent/health/service/id/${enc(id)}`);
      t.is(json.status, 503);
      t.is(json.json<{ Service: { ID: string } }>().Service.ID, id);

      await ok('PUT', `/v1/agent/check/update/${enc(check)}`, { Status: 'passing', Output: `fine ${id}` });
      t.like((await agentChecks())[check], { Status: 'passing', Output: `fine ${id}` });
      await ok('PUT', `/v1/agent/check/pass/${enc(check)}`);
      t.is((await call(agent, 'GET', `/v1/agent/health/service/id/${enc(id)}`)).status, 200);

      // Maintenance adds and removes `_service_maintenance:<id>`.
      await ok('PUT', `/v1/agent/service/maintenance/${enc(id)}?enable=true&reason=${encodeURIComponent('moving racks')}`);
      const maint = `_service_maintenance:${id}`;
      t.is((await agentChecks())[maint]?.Status, 'critical', `maintenance of ${id}`);
      await eventually(async () => (await healthOf(name)).find((e) => e.Service.ID === id)?.Checks.some((c) => c.CheckID === maint), 5000, `${maint} in the catalog`);
      await ok('PUT', `/v1/agent/service/maintenance/${enc(id)}?enable=false`);
      t.false(maint in (await agentChecks()));
      await eventually(async () => !(await healthOf(name)).find((e) => e.Service.ID === id)?.Checks.some((c) => c.CheckID === maint), 5000, `${maint} gone from the catalog`);
    }

    // The catalog sees the TTL status set through the slash-containing check IDs.
    await eventually(
      async () => (await healthOf(name)).every((e) => e.Checks.find((c) => c.CheckID === `service:${e.Service.ID}`)?.Status === 'passing'),
      5000,
      'every TTL check passing in the catalog',
    );

    // Deregistration leaves nothing behind: not in the agent, not in the catalog, no checks.
    for (const id of ids) await ok('PUT', `/v1/agent/service/deregister/${enc(id)}`);
    const services = await agentServices();
    const checks = await agentChecks();
    for (const id of ids) {
      t.false(id in services, `${id} still registered`);
      t.false(`service:${id}` in checks, `service:${id} still registered`);
      t.is((await call(agent, 'GET', `/v1/agent/service/${enc(id)}`)).status, 404);
      const gone = await call(agent, 'PUT', `/v1/agent/service/deregister/${enc(id)}`);
      t.is(gone.status, 404, 'a second deregistration finds nothing');
    }
    await eventually(async () => (await catalogIds(name)).length === 0, 5000, 'the catalog to drop every instance');
    t.deepEqual(await healthOf(name), []);
  });
}

test('check IDs with reserved characters: deregister removes them from the agent and the catalog', async (t) => {
  await register('holder/1', 'holder');
  const ids = ['disk/usage', 'mem usage/%', 'ü/✓'];
  for (const id of ids) await ok('PUT', '/v1/agent/check/register', { ID: id, Name: id, TTL: '60s', ServiceID: 'holder/1' });
  const node = (await call(agent, 'GET', '/v1/agent/self')).json<{ Config: { NodeName: string } }>().Config.NodeName;
  const nodeChecks = async () => (await call(agent, 'GET', `/v1/health/node/${encodeURIComponent(node)}`)).json<{ CheckID: string }[]>().map((c) => c.CheckID);
  await eventually(
    async () => {
      const present = await nodeChecks();
      return ids.every((id) => present.includes(id));
    },
    5000,
    'checks in the catalog',
  );
  await ok('PUT', `/v1/agent/check/pass/${ids[0]}`);
  await ok('PUT', `/v1/agent/check/deregister/${ids[0]}`);
  await ok('PUT', `/v1/agent/check/deregister/${encodeURIComponent(ids[1] as string)}`);
  await ok('PUT', `/v1/agent/check/deregister/${SPELLINGS.raw(ids[2] as string)}`);
  const left = await agentChecks();
  for (const id of ids) t.false(id in left, `${id} still on the agent`);
  await eventually(async () => !(await nodeChecks()).some((c) => ids.includes(c)), 5000, 'checks gone from the catalog');
  const again = await call(agent, 'PUT', `/v1/agent/check/deregister/${ids[0]}`);
  t.is(again.status, 404);
  t.is(again.text, `Unknown check ID "${ids[0]}". Ensure that the check ID is passed, not the check name.`);
  await ok('PUT', '/v1/agent/service/deregister/holder/1');
});

test('service and node names with reserved characters in catalog, health, session and agent paths', async (t) => {
  const node = 'rack/7 ü';
  const service = 'api/v2 ✓';
  await ok('PUT', '/v1/catalog/register', {
    Node: node,
    Address: '10.9.0.7',
    Service: { ID: 'inst/1', Service: service, Port: 9000 },
    Checks: [{ CheckID: 'inst/1:alive', Name: 'alive', Status: 'passing', ServiceID: 'inst/1' }],
  });
  for (const enc of Object.values(SPELLINGS)) {
    const catalog = await call(agent, 'GET', `/v1/catalog/service/${enc(service)}`);
    t.deepEqual(
      catalog.json<{ ServiceID: string; Node: string }[]>().map((s) => [s.Node, s.ServiceID]),
      [[node, 'inst/1']],
    );
    const health = await call(agent, 'GET', `/v1/health/service/${enc(service)}?passing`);
    t.is(health.json<unknown[]>().length, 1);
    const checks = await call(agent, 'GET', `/v1/health/checks/${enc(service)}`);
    t.deepEqual(
      checks.json<{ CheckID: string }[]>().map((c) => c.CheckID),
      ['inst/1:alive'],
    );
    const byNode = await call(agent, 'GET', `/v1/catalog/node/${enc(node)}`);
    t.deepEqual(Object.keys(byNode.json<{ Services: Record<string, unknown> }>().Services), ['inst/1']);
    const list = await call(agent, 'GET', `/v1/catalog/node-services/${enc(node)}`);
    t.is(list.json<{ Node: { Node: string } }>().Node.Node, node);
    const nodeHealth = await call(agent, 'GET', `/v1/health/node/${enc(node)}`);
    t.deepEqual(
      nodeHealth.json<{ CheckID: string }[]>().map((c) => c.CheckID),
      ['inst/1:alive'],
    );
    t.is((await call(agent, 'GET', `/v1/coordinate/node/${enc(node)}`)).status, 404, 'no coordinate, but the node is understood');
  }

  const session = (await call(agent, 'PUT', '/v1/session/create', { Node: node, Checks: [] })).json<{ ID: string }>().ID;
  const sessions = await call(agent, 'GET', `/v1/session/node/${SPELLINGS.raw(node)}`);
  t.deepEqual(
    sessions.json<{ ID: string }[]>().map((s) => s.ID),
    [session],
  );
  await ok('PUT', `/v1/session/destroy/${session}`);

  // A local service name with a slash, through the agent's health-by-name endpoint.
  await register('local/1', 'local/name');
  const byName = await call(agent, 'GET', '/v1/agent/health/service/name/local/name?format=text');
  t.deepEqual([byName.status, byName.text], [503, 'critical']);
  await ok('PUT', '/v1/agent/service/deregister/local%2F1');

  // Catalog deregistration by service ID, then by check ID, then the node.
  await ok('PUT', '/v1/catalog/register', {
    Node: node,
    Address: '10.9.0.7',
    Service: { ID: 'inst/2', Service: service, Port: 9001 },
    Check: { CheckID: 'node/level', Name: 'node level', Status: 'passing' },
  });
  await ok('PUT', '/v1/catalog/deregister', { Node: node, ServiceID: 'inst/1' });
  const after = await call(agent, 'GET', `/v1/catalog/service/${SPELLINGS.raw(service)}`);
  t.deepEqual(
    after.json<{ ServiceID: string }[]>().map((s) => s.ServiceID),
    ['inst/2'],
  );
  const checksAfter = await call(agent, 'GET', `/v1/health/node/${SPELLINGS.raw(node)}`);
  t.deepEqual(
    checksAfter.json<{ CheckID: string }[]>().map((c) => c.CheckID),
    ['node/level'],
    'the service check went with it',
  );
  await ok('PUT', '/v1/catalog/deregister', { Node: node, CheckID: 'node/level' });
  t.deepEqual((await call(agent, 'GET', `/v1/health/node/${SPELLINGS.raw(node)}`)).json<unknown[]>(), []);
  await ok('PUT', '/v1/catalog/deregister', { Node: node, ServiceID: 'inst/2' });
  t.deepEqual((await call(agent, 'GET', `/v1/catalog/service/${SPELLINGS.escaped(service)}`)).json<unknown[]>(), []);
  await ok('PUT', '/v1/catalog/deregister', { Node: node });
  t.is((await call(agent, 'GET', `/v1/catalog/node/${SPELLINGS.raw(node)}`)).text, 'null');
});

test('the consul npm client deregisters and updates IDs with a slash', async (t) => {
  const consul = new Consul({ host: '127.0.0.1', port: agent.port });
  await consul.agent.service.register({ id: 'npm/web/1', name: 'npm-web', port: 81, check: { ttl: '60s' } } as never);
  await consul.agent.check.pass('service:npm/web/1');
  t.is((await agentChecks())['service:npm/web/1']?.Status, 'passing');
  await consul.agent.service.maintenance({ id: 'npm/web/1', enable: true } as never);
  t.true('_service_maintenance:npm/web/1' in (await agentChecks()));
  await consul.agent.service.deregister('npm/web/1');
  t.false('npm/web/1' in (await agentServices()));
  const checks = await agentChecks();
  t.false('service:npm/web/1' in checks);
  t.false('_service_maintenance:npm/web/1' in checks);
  await eventually(async () => (await catalogIds('npm-web')).length === 0, 5000, 'the catalog to drop npm/web/1');
});

test('empty or malformed IDs in the path are a 400 with a reason', async (t) => {
  const cases: [string, string, string][] = [
    ['PUT', '/v1/agent/service/deregister/', 'Missing service ID'],
    ['PUT', '/v1/agent/service/maintenance/?enable=true', 'Missing service ID'],
    ['PUT', '/v1/agent/check/pass/', 'Missing check ID'],
    ['PUT', '/v1/agent/check/deregister/', 'Missing check ID'],
    ['GET', '/v1/agent/health/service/id/', 'Missing serviceID'],
    ['GET', '/v1/agent/health/service/name/', 'Missing service Name'],
    ['GET', '/v1/catalog/service/', 'Missing service name'],
    ['GET', '/v1/catalog/node/', 'Missing node name'],
    ['GET', '/v1/health/service/', 'Missing service name'],
    ['GET', '/v1/health/state/', 'Missing check state'],
    ['GET', '/v1/session/info/', 'Missing session'],
  ];
  for (const [method, path, text] of cases) {
    const r = await call(agent, method, path);
    t.deepEqual([r.status, r.text], [400, text], `${method} ${path}`);
  }
  const bad = await call(agent, 'GET', '/v1/agent/service/a%zzb');
  t.is(bad.status, 400);
  t.regex(bad.text, /bad escape/);
  const leave = await call(agent, 'PUT', '/v1/agent/force-leave/no/such%20node');
  t.deepEqual([leave.status, leave.text], [500, "agent: No node found with name 'no/such node'"]);
  const unknown = await call(agent, 'GET', '/v1/agent/service/no/such/id');
  t.deepEqual([unknown.status, unknown.text], [404, 'unknown service ID: no/such/id']);
  t.is(agent.child.exitCode, null);
});
