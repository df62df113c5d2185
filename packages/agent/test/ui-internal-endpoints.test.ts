/**
 * /v1/internal/ui/services, /v1/internal/ui/nodes and /v1/internal/ui/node/<node>: the summaries
 * Consul's UI reads, in Consul's shapes, as blocking queries.
 */
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
  const put = async (path: string, body?: object) => {
    const r = await call(agent, 'PUT', path, body);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  };
  await put('/v1/agent/service/register', { ID: 'web-1', Name: 'web', Tags: ['v1', 'b'], Port: 80, Meta: { 'external-source': 'nomad' }, Check: { CheckID: 'c1', TTL: '10m' } });
  await put('/v1/agent/service/register', { ID: 'web-2', Name: 'web', Tags: ['a', 'v1'], Port: 81, Check: { CheckID: 'c2', TTL: '10m' } });
  await put('/v1/agent/check/pass/c1');
  await put('/v1/agent/check/warn/c2');
  await put('/v1/catalog/register', {
    Node: 'ext',
    Address: '10.9.9.9',
    Service: { ID: 'web-3', Service: 'web', Port: 82 },
    Checks: [
      { CheckID: 'ext-node', Name: 'node', Status: 'critical' },
      { CheckID: 'ext-web', Name: 'web', Status: 'passing', ServiceID: 'web-3' },
    ],
  });
});

test.serial("services: one summary per service with Consul's fields, nodes, tags and per-node check counts", async (t) => {
  const r = await call(agent, 'GET', '/v1/internal/ui/services');
  t.is(r.status, 200);
  t.truthy(r.headers.get('x-consul-index'));
  const list = r.json<Record<string, unknown>[]>();
  t.deepEqual(
    list.map((s) => s.Name),
    ['consul', 'web'],
  );
  // No tags and no external source: null, as Consul's nil slices.
  t.like(list[0], { Name: 'consul', Tags: null, ExternalSources: null, InstanceCount: 1 });
  const web = list[1] as Record<string, unknown>;
  t.deepEqual(Object.keys(web), [
    'Name',
    'Datacenter',
    'Tags',
    'Nodes',
    'ExternalSources',
    'InstanceCount',
    'ChecksPassing',
    'ChecksWarning',
    'ChecksCritical',
    'GatewayConfig',
    'TransparentProxy',
    'ConnectNative',
    'ConnectedWithProxy',
    'ConnectedWithGateway',
  ]);
  t.like(web, {
    Datacenter: 'dc1',
    Tags: ['a', 'b', 'v1'],
    Nodes: [agent.node, 'ext'].sort(),
    ExternalSources: ['nomad'],
    InstanceCount: 3,
    // serfHealth counted once for the agent's node though two instances share it; c1, ext-web pass.
    ChecksPassing: 3,
    ChecksWarning: 1,
    ChecksCritical: 1,
  });
});

test.serial('nodes: every node with its services and checks', async (t) => {
  const r = await call(agent, 'GET', '/v1/internal/ui/nodes');
  t.is(r.status, 200);
  const nodes = r.json<{ Node: string; Address: string; Services: { ID: string }[]; Checks: { CheckID: string }[] }[]>();
  t.deepEqual(
    nodes.map((n) => n.Node),
    [agent.node, 'ext'].sort(),
  );
  const ext = nodes.find((n) => n.Node === 'ext');
  t.like(ext, { Address: '10.9.9.9' });
  t.deepEqual(
    ext?.Services.map((s) => s.ID),
    ['web-3'],
  );
  t.deepEqual(
    ext?.Checks.map((c) => c.CheckID),
    ['ext-node', 'ext-web'],
  );
  const mine = nodes.find((n) => n.Node === agent.node);
  t.deepEqual(
    mine?.Services.map((s) => s.ID),
    ['consul', 'web-1', 'web-2'],
  );
  t.deepEqual(Object.keys(mine ?? {}), ['ID', 'Node', 'Address', 'Datacenter', 'TaggedAddresses', 'Meta', 'Services', 'Checks']);
});

test.serial('node: one node, or 404 when there is none', async (t) => {
  const r = await call(agent, 'GET', '/v1/internal/ui/node/ext');
  t.is(r.status, 200);
  t.like(r.json(), { Node: 'ext', Address: '10.9.9.9' });
  const missing = await call(agent, 'GET', '/v1/internal/ui/node/nobody');
  t.is(missing.status, 404);
  t.is(missing.text, '');
});

test.serial('services blocks until the catalog changes, then answers with a higher index', async (t) => {
  const first = await call(agent, 'GET', '/v1/internal/ui/services');
  const index = Number(first.headers.get('x-consul-index'));
  const waiting = call(agent, 'GET', `/v1/internal/ui/services?index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await call(agent, 'PUT', '/v1/agent/service/register', { ID: 'newcomer', Name: 'newcomer', Port: 1 });
  const woke = await waiting;
  t.true(Date.now() - started < 10_000, 'woke on the change, not at the end of the wait');
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  t.true(woke.json<{ Name: string }[]>().some((s) => s.Name === 'newcomer'));
});

test.serial('node blocks too, and a health change wakes it', async (t) => {
  const first = await call(agent, 'GET', `/v1/internal/ui/node/${agent.node}`);
  const index = Number(first.headers.get('x-consul-index'));
  const waiting = call(agent, 'GET', `/v1/internal/ui/node/${agent.node}?index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 300));
  await call(agent, 'PUT', '/v1/agent/check/fail/c1?note=down');
  const woke = await waiting;
  // The wake-up may come from the check's sync reaching the catalog in two steps: read until it shows.
  let latest = woke;
  for (let i = 0; i < 20 && !latest.text.includes('"down"'); i++) {
    latest = await call(agent, 'GET', `/v1/internal/ui/node/${agent.node}?index=${latest.headers.get('x-consul-index')}&wait=2s`);
  }
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  const c1 = latest.json<{ Checks: { CheckID: string; Status: string; Output: string }[] }>().Checks.find((c) => c.CheckID === 'c1');
  t.like(c1, { Status: 'critical', Output: 'down' });
});

test.serial('an unchanged catalog holds a blocking query until its wait ends', async (t) => {
  const first = await call(agent, 'GET', '/v1/internal/ui/nodes');
  const index = Number(first.headers.get('x-consul-index'));
  const started = Date.now();
  const again = await call(agent, 'GET', `/v1/internal/ui/nodes?index=${index}&wait=400ms`);
  t.true(Date.now() - started >= 350);
  t.is(Number(again.headers.get('x-consul-index')), index);
});

test.serial('?filter= selects instances before the services summary, and nodes in the node list', async (t) => {
  const services = await call(agent, 'GET', `/v1/internal/ui/services?filter=${encodeURIComponent('Node.Node == "ext"')}`);
  t.is(services.status, 200);
  t.deepEqual(
    services.json<{ Name: string; InstanceCount: number }[]>().map((s) => [s.Name, s.InstanceCount]),
    [['web', 1]],
  );
  const nodes = await call(agent, 'GET', `/v1/internal/ui/nodes?filter=${encodeURIComponent('Address == "10.9.9.9"')}`);
  t.deepEqual(
    nodes.json<{ Node: string }[]>().map((n) => n.Node),
    ['ext'],
  );
  const bad = await call(agent, 'GET', '/v1/internal/ui/nodes?filter=%3D%3D');
  t.is(bad.status, 400);
  t.regex(bad.text, /^Failed to create boolean expression evaluator/);
});
