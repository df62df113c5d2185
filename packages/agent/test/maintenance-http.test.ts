import test from 'ava';
import { getJson, put, putOk, startTestAgent, tempDir, waitFor } from './_local-helpers.js';

interface AgentCheck {
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  ServiceID: string;
  ServiceName: string;
  Type: string;
  Interval: string;
  Timeout: string;
}

const checks = (base: string) => getJson<Record<string, AgentCheck>>(base, '/v1/agent/checks');
const passing = (base: string, service: string) => getJson<unknown[]>(base, `/v1/health/service/${service}?passing`);

async function reply(base: string, path: string): Promise<{ status: number; text: string }> {
  const res = await put(base, path);
  return { status: res.status, text: await res.text() };
}

test('an unknown service is a 404 naming the ID, for enable and disable alike', async (t) => {
  const { base } = await startTestAgent(t);
  t.deepEqual(await reply(base, '/v1/agent/service/maintenance/ghost?enable=true'), {
    status: 404,
    text: 'No service registered with ID "ghost"',
  });
  t.deepEqual(await reply(base, '/v1/agent/service/maintenance/ghost?enable=false'), {
    status: 404,
    text: 'No service registered with ID "ghost"',
  });
});

test('enable takes Go boolean spellings; anything else is a 400 quoting the value', async (t) => {
  const { base } = await startTestAgent(t);
  t.deepEqual(await reply(base, '/v1/agent/maintenance?enable=yes'), { status: 400, text: 'Invalid value for enable: "yes"' });
  t.deepEqual(await reply(base, '/v1/agent/maintenance?enable=tRuE'), { status: 400, text: 'Invalid value for enable: "tRuE"' });
  t.deepEqual(await reply(base, '/v1/agent/maintenance?enable='), { status: 400, text: 'Invalid value for enable: ""' });
  await putOk(t, base, '/v1/agent/maintenance?enable=T');
  t.truthy((await checks(base))._node_maintenance);
  await putOk(t, base, '/v1/agent/maintenance?enable=0');
  t.falsy((await checks(base))._node_maintenance);
});

test('a maintenance check is a critical check of type maintenance; enabling again keeps the first reason', async (t) => {
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', { ID: 'web1', Name: 'web', Check: { TTL: '60s', Status: 'passing' } });
  await putOk(t, base, '/v1/agent/service/maintenance/web1?enable=true&reason=disk%20swap');
  await putOk(t, base, '/v1/agent/service/maintenance/web1?enable=true&reason=second%20thoughts');
  t.like((await checks(base))['_service_maintenance:web1'], {
    Name: 'Service Maintenance Mode',
    Status: 'critical',
    Notes: 'disk swap',
    ServiceID: 'web1',
    ServiceName: 'web',
    Type: 'maintenance',
    Interval: '',
    Timeout: '',
  });
  await putOk(t, base, '/v1/agent/maintenance?enable=true');
  t.like((await checks(base))._node_maintenance, {
    Name: 'Node Maintenance Mode',
    Notes: 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.',
    Type: 'maintenance',
  });
  // Disabling what is not enabled is not an error.
  await putOk(t, base, '/v1/agent/service/maintenance/web1?enable=false');
  await putOk(t, base, '/v1/agent/service/maintenance/web1?enable=false');
});

test('node maintenance takes every service of the node out of ?passing until it is disabled', async (t) => {
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', { ID: 'a1', Name: 'alpha', Check: { TTL: '60s', Status: 'passing' } });
  await putOk(t, base, '/v1/agent/service/register', { ID: 'b1', Name: 'beta' });
  t.true(await waitFor(async () => (await passing(base, 'alpha')).length === 1 && (await passing(base, 'beta')).length === 1, 3000));
  await putOk(t, base, '/v1/agent/maintenance?enable=true&reason=rack%20move');
  t.true(await waitFor(async () => (await passing(base, 'alpha')).length === 0 && (await passing(base, 'beta')).length === 0, 3000));
  await putOk(t, base, '/v1/agent/maintenance?enable=false');
  t.true(await waitFor(async () => (await passing(base, 'alpha')).length === 1 && (await passing(base, 'beta')).length === 1, 3000));
});

test('maintenance survives a restart, and deregistering the service drops its maintenance check', async (t) => {
  const dataDir = tempDir(t);
  const node = `maint-restart-${process.pid}`;
  const first = await startTestAgent(t, { dataDir, node });
  await putOk(t, first.base, '/v1/agent/service/register', { ID: 'web1', Name: 'web' });
  await putOk(t, first.base, '/v1/agent/service/maintenance/web1?enable=true&reason=patching');
  await putOk(t, first.base, '/v1/agent/maintenance?enable=true&reason=kernel');
  await first.agent.close();

  const second = await startTestAgent(t, { dataDir, node });
  const restored = await checks(second.base);
  t.like(restored['_service_maintenance:web1'], { Status: 'critical', Notes: 'patching', Type: 'maintenance' });
  t.like(restored._node_maintenance, { Status: 'critical', Notes: 'kernel' });
  await putOk(t, second.base, '/v1/agent/service/deregister/web1');
  t.falsy((await checks(second.base))['_service_maintenance:web1']);
  t.deepEqual(await reply(second.base, '/v1/agent/service/maintenance/web1?enable=false'), {
    status: 404,
    text: 'No service registered with ID "web1"',
  });
});
