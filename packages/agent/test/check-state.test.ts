import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { getJson, putOk, startTestAgent, tempDir, waitFor } from './_local-helpers.js';

interface AgentCheck {
  Status: string;
  Output: string;
}

test('a TTL check restarted within its TTL keeps its status and output; one past its TTL comes back critical', async (t) => {
  const dataDir = tempDir(t);
  const node = `ttl-state-${process.pid}`;
  const first = await startTestAgent(t, { dataDir, node });
  await putOk(t, first.base, '/v1/agent/check/register', { Name: 'long', TTL: '60s' });
  await putOk(t, first.base, '/v1/agent/check/register', { Name: 'short', TTL: '1s' });
  await putOk(t, first.base, '/v1/agent/check/pass/long?note=all%20good');
  await putOk(t, first.base, '/v1/agent/check/warn/short?note=meh');
  await first.agent.close();
  await new Promise((r) => setTimeout(r, 1200));

  const second = await startTestAgent(t, { dataDir, node });
  const checks = await getJson<Record<string, AgentCheck>>(second.base, '/v1/agent/checks');
  t.is(checks.long?.Status, 'passing');
  t.is(checks.long?.Output, 'all good');
  t.is(checks.short?.Status, 'critical');
  // The restored status reaches the catalog too.
  const inCatalog = await waitFor(async () => {
    const list = await getJson<{ CheckID: string; Status: string }[]>(second.base, `/v1/health/node/${node}`);
    return list.find((c) => c.CheckID === 'long' && c.Status === 'passing');
  }, 3000);
  t.truthy(inCatalog);
  // A deregistered check leaves no state behind for a later check of the same ID.
  await putOk(t, second.base, '/v1/agent/check/deregister/long');
  await putOk(t, second.base, '/v1/agent/check/register', { Name: 'long', TTL: '60s' });
  t.is((await getJson<Record<string, AgentCheck>>(second.base, '/v1/agent/checks')).long?.Status, 'critical');
});

test('with check_update_interval, output-only changes reach the catalog late while status changes sync at once', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({ check_update_interval: '1500ms' }));
  const { base, node } = await startTestAgent(t, { extraArgs: ['-config-file', config] });
  await putOk(t, base, '/v1/agent/check/register', { Name: 'job', TTL: '60s' });
  const catalogOutput = async () => (await getJson<{ CheckID: string; Status: string; Output: string }[]>(base, `/v1/health/node/${node}`)).find((c) => c.CheckID === 'job');
  await putOk(t, base, '/v1/agent/check/pass/job?note=first');
  t.true(await waitFor(async () => (await catalogOutput())?.Output === 'first', 2000));
  // Same status, new output: the agent has it at once, the catalog only after the interval.
  await putOk(t, base, '/v1/agent/check/pass/job?note=second');
  t.is((await getJson<Record<string, AgentCheck>>(base, '/v1/agent/checks')).job?.Output, 'second');
  t.is((await catalogOutput())?.Output, 'first');
  t.true(await waitFor(async () => (await catalogOutput())?.Output === 'second', 4000));
  // A status change is synced immediately.
  await putOk(t, base, '/v1/agent/check/warn/job?note=third');
  const c = await waitFor(async () => {
    const v = await catalogOutput();
    return v?.Status === 'warning' ? v : undefined;
  }, 500);
  t.is(c?.Output, 'third');
});

test('check_update_interval must be a duration', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify({ check_update_interval: 'soon' }));
  await t.throwsAsync(startTestAgent(t, { extraArgs: ['-config-file', config] }), { message: /check_update_interval/ });
});
