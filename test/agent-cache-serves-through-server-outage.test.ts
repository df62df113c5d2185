import test from 'ava';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

test('a client agent answers ?cached reads while its servers are down: Age grows, max-age refetches (500), stale-if-error serves the cached result', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  if (!server) return t.fail();
  const client = await c.startClient({ join: server });
  const reg = await getText(httpAddr(client), '/v1/catalog/register', {
    method: 'PUT',
    body: JSON.stringify({ Node: 'outage-node', Address: '10.8.0.1', Service: { Service: 'outage', Port: 9000 } }),
  });
  t.is(reg.text, 'true');
  const path = '/v1/health/service/outage?cached';
  const miss = await until(
    async () => {
      const r = await getText(httpAddr(client), path);
      return r.status === 200 && (JSON.parse(r.text) as unknown[]).length === 1 ? r : undefined;
    },
    15_000,
    'the first cached read',
  );
  t.is(miss.headers.get('x-cache'), 'MISS');
  const hit = await getText(httpAddr(client), path);
  t.is(hit.headers.get('x-cache'), 'HIT');
  t.is(hit.headers.get('age'), '0');

  await c.kill(server);
  // Uncached reads fail; the cached one still answers, and its Age counts from the lost contact.
  const aged = await until(
    async () => {
      const r = await getText(httpAddr(client), path);
      return r.status === 200 && Number(r.headers.get('age')) >= 2 ? r : undefined;
    },
    30_000,
    'a HIT with an Age of 2 s or more',
  );
  t.is(aged.headers.get('x-cache'), 'HIT');
  t.is(aged.text, hit.text);
  const direct = await getText(httpAddr(client), '/v1/health/service/outage');
  t.is(direct.status, 500);

  const tooOld = await getText(httpAddr(client), path, { headers: { 'Cache-Control': 'max-age=1' } }, 30_000);
  t.is(tooOld.status, 500);
  const stale = await getText(httpAddr(client), path, { headers: { 'Cache-Control': 'max-age=1, stale-if-error=600' } }, 30_000);
  t.is(stale.status, 200);
  t.is(stale.headers.get('x-cache'), 'HIT');
  t.true(Number(stale.headers.get('age')) >= 2);
  t.is(stale.text, hit.text);
});
