import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { getJson, putOk, startTestAgent, tempDir, waitFor } from './_local-helpers.js';

test('services and checks registered through the API survive a restart', async (t) => {
  const dataDir = tempDir(t);
  const node = `persist-${process.pid}`;
  const first = await startTestAgent(t, { dataDir, node });
  await putOk(t, first.base, '/v1/agent/service/register', { Name: 'web', ID: 'web1', Port: 80, Tags: ['v1'], Check: { TTL: '30s' } });
  await putOk(t, first.base, '/v1/agent/service/register', { Name: 'tmp', Port: 81 });
  await putOk(t, first.base, '/v1/agent/check/register', { Name: 'node-ttl', TTL: '30s', Status: 'passing' });
  await putOk(t, first.base, '/v1/agent/service/deregister/tmp');
  await first.agent.close();

  const second = await startTestAgent(t, { dataDir, node });
  const services = await getJson<Record<string, { Port: number; Tags: string[] }>>(second.base, '/v1/agent/services');
  t.deepEqual(Object.keys(services).sort(), ['web1']);
  t.is(services.web1?.Port, 80);
  t.deepEqual(services.web1?.Tags, ['v1']);
  const checks = await getJson<Record<string, { Status: string; ServiceID: string }>>(second.base, '/v1/agent/checks');
  t.deepEqual(Object.keys(checks).sort(), ['node-ttl', 'service:web1']);
  t.is(checks['service:web1']?.ServiceID, 'web1');
  const catalog = await waitFor(async () => {
    const list = await getJson<{ ServiceID: string }[]>(second.base, '/v1/catalog/service/web');
    return list.length === 1 ? list : undefined;
  }, 1000);
  t.is(catalog?.[0]?.ServiceID, 'web1');
});

test('config-file services are not persisted and replace-existing-checks persists the replacement', async (t) => {
  const dataDir = tempDir(t);
  const cfgDir = tempDir(t);
  const cfg = join(cfgDir, 'svc.json');
  writeFileSync(cfg, JSON.stringify({ services: [{ name: 'fromfile', port: 9 }] }));
  const node = `persist2-${process.pid}`;
  const first = await startTestAgent(t, { dataDir, node, extraArgs: ['-config-file', cfg] });
  t.deepEqual(readdirSync(join(dataDir, 'local', 'services')), [], 'config services stay in config');
  await putOk(t, first.base, '/v1/agent/service/register', {
    Name: 'api',
    Checks: [
      { CheckID: 'a', TTL: '30s' },
      { CheckID: 'b', TTL: '30s' },
    ],
  });
  await putOk(t, first.base, '/v1/agent/service/register?replace-existing-checks', { Name: 'api', Checks: [{ CheckID: 'a', TTL: '30s' }] });
  let checks = await getJson<Record<string, unknown>>(first.base, '/v1/agent/checks');
  t.deepEqual(Object.keys(checks).sort(), ['a']);
  t.is(readdirSync(join(dataDir, 'local', 'checks')).filter((f) => f.endsWith('.json')).length, 1);
  await first.agent.close();

  writeFileSync(cfg, JSON.stringify({ services: [] }));
  const second = await startTestAgent(t, { dataDir, node, extraArgs: ['-config-file', cfg] });
  const services = await getJson<Record<string, unknown>>(second.base, '/v1/agent/services');
  t.deepEqual(Object.keys(services).sort(), ['api'], 'the config service is gone with its config');
  const stale = await waitFor(async () => {
    const list = await getJson<unknown[]>(second.base, '/v1/catalog/service/fromfile');
    return list.length === 0;
  }, 1000);
  t.true(stale, 'the start-up sync removed the stale catalog entry');
  checks = await getJson<Record<string, unknown>>(second.base, '/v1/agent/checks');
  t.deepEqual(Object.keys(checks).sort(), ['a']);
});
