import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { putOk, startTestAgent, waitFor } from './_local-helpers.js';

test('agent service health answers 200, 429, 503 and 404 from real check results', async (t) => {
  let code = 200;
  const server = createServer((_req, res) => {
    res.writeHead(code);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', { Name: 'api', ID: 'api1', Check: { HTTP: url, Interval: '200ms' } });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'api', ID: 'api2', Check: { TTL: '30s', Status: 'passing' } });

  const byId = async () => (await fetch(`${base}/v1/agent/health/service/id/api1?format=text`)).status;
  t.is(await waitFor(async () => ((await byId()) === 200 ? 200 : 0), 1200), 200);
  const text = await fetch(`${base}/v1/agent/health/service/id/api1?format=text`);
  t.is(await text.text(), 'passing');

  code = 429;
  t.is(await waitFor(async () => ((await byId()) === 429 ? 429 : 0), 1200), 429);
  const byName = await fetch(`${base}/v1/agent/health/service/name/api`);
  t.is(byName.status, 429);
  const entries = (await byName.json()) as { AggregatedStatus: string; Service: { ID: string } }[];
  t.deepEqual(entries.map((e) => [e.Service.ID, e.AggregatedStatus]).sort(), [
    ['api1', 'warning'],
    ['api2', 'passing'],
  ]);

  code = 500;
  t.is(await waitFor(async () => ((await byId()) === 503 ? 503 : 0), 1200), 503);
  const json = (await (await fetch(`${base}/v1/agent/health/service/id/api1`)).json()) as { AggregatedStatus: string };
  t.is(json.AggregatedStatus, 'critical');
  t.is((await fetch(`${base}/v1/agent/health/service/name/api?format=text`)).status, 503);

  t.is((await fetch(`${base}/v1/agent/health/service/id/missing`)).status, 404);
  t.is((await fetch(`${base}/v1/agent/health/service/name/missing?format=text`)).status, 404);
});
