import test from 'ava';
import { aeDelay, aeScaleFactor } from '../src/local/anti-entropy.js';
import { getJson, put, putOk, startTestAgent, waitFor } from './_local-helpers.js';

const FAST = { antiEntropyIntervalMs: 150 };

interface NodeServices {
  Services: Record<string, { Tags: string[] }>;
}

async function nodeServiceIds(base: string, node: string): Promise<string[]> {
  const body = await getJson<NodeServices | null>(base, `/v1/catalog/node/${node}`);
  return Object.keys(body?.Services ?? {}).sort();
}

test('anti-entropy removes a catalog registration on the agent node that the agent does not own', async (t) => {
  const { base, node } = await startTestAgent(t, { timings: FAST });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'owned', Check: { TTL: '30s' } });
  await putOk(t, base, '/v1/catalog/register', {
    Node: node,
    Address: '127.0.0.1',
    Service: { ID: 'foreign', Service: 'foreign', Port: 1 },
    Check: { CheckID: 'foreign-node-check', Name: 'x', Status: 'passing' },
  });
  const gone = await waitFor(async () => {
    const ids = await nodeServiceIds(base, node);
    return !ids.includes('foreign');
  }, 1500);
  t.true(gone, 'the foreign service was removed');
  t.deepEqual(await nodeServiceIds(base, node), ['consul', 'owned']);
  const checks = await getJson<{ CheckID: string }[]>(base, `/v1/health/node/${node}`);
  t.deepEqual(checks.map((c) => c.CheckID).sort(), ['serfHealth', 'service:owned']);
});

test('anti-entropy restores an agent service deregistered from the catalog', async (t) => {
  const { base, node } = await startTestAgent(t, { timings: FAST });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'web', ID: 'web1', Port: 80, Check: { TTL: '30s' } });
  await putOk(t, base, '/v1/agent/check/pass/service:web1?note=up');
  await putOk(t, base, '/v1/catalog/deregister', { Node: node, ServiceID: 'web1' });
  const back = await waitFor(async () => (await nodeServiceIds(base, node)).includes('web1'), 1500);
  t.true(back, 'the service came back');
  const health = await getJson<{ Checks: { CheckID: string; Status: string; Output: string }[] }[]>(base, '/v1/health/service/web');
  const check = health[0]?.Checks.find((c) => c.CheckID === 'service:web1');
  t.is(check?.Status, 'passing');
  t.is(check?.Output, 'up');
});

test('anti-entropy repairs a changed service and keeps catalog tags when EnableTagOverride is set', async (t) => {
  const { base, node } = await startTestAgent(t, { timings: FAST });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'fixed', Tags: ['a'], Port: 1 });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'free', Tags: ['a'], Port: 2, EnableTagOverride: true });
  for (const [id, port] of [
    ['fixed', 1],
    ['free', 2],
  ] as const) {
    const res = await put(base, '/v1/catalog/register', {
      Node: node,
      Address: '127.0.0.1',
      Service: { ID: id, Service: id, Tags: ['b'], Port: port, EnableTagOverride: id === 'free' },
    });
    t.is(res.status, 200);
  }
  const repaired = await waitFor(async () => {
    const body = await getJson<NodeServices | null>(base, `/v1/catalog/node/${node}`);
    return body?.Services.fixed?.Tags[0] === 'a' ? body : undefined;
  }, 1500);
  t.deepEqual(repaired?.Services.fixed?.Tags, ['a']);
  await new Promise((r) => setTimeout(r, 400));
  const body = await getJson<NodeServices | null>(base, `/v1/catalog/node/${node}`);
  t.deepEqual(body?.Services.free?.Tags, ['b'], 'catalog tags kept');
  const agentSvc = await getJson<{ Tags: string[] }>(base, '/v1/agent/service/free');
  t.deepEqual(agentSvc.Tags, ['b'], 'the agent adopts the catalog tags');
});

test('the full-sync period scales with the cluster size as in Consul', (t) => {
  t.is(aeScaleFactor(1), 1);
  t.is(aeScaleFactor(128), 1);
  t.is(aeScaleFactor(129), 2);
  t.is(aeScaleFactor(256), 2);
  t.is(aeScaleFactor(512), 3);
  t.is(aeScaleFactor(1024), 4);
  t.is(
    aeDelay(60_000, 10, () => 0),
    60_000,
  );
  t.is(
    aeDelay(60_000, 10, () => 0.5),
    90_000,
  );
  t.is(
    aeDelay(60_000, 300, () => 0.5),
    60_000 + 90_000,
  );
});
