import test from 'ava';
import { ProcessCluster, getText, until } from './_process-cluster.js';

test('a client agent rides out a full server outage and syncs what was registered meanwhile', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const client = await c.startClient({ join: servers[0] });
  await until(async () => (await getText(servers[0]?.httpPort ?? 0, `/v1/catalog/node/${client.name}`)).text !== 'null', 15_000, 'the client node in the catalog');

  for (const s of servers) await c.kill(s);
  // The agent keeps answering for what it owns while no server is reachable.
  const reg = await getText(client.httpPort, '/v1/agent/service/register', { method: 'PUT', body: JSON.stringify({ Name: 'api', ID: 'api1', Port: 9000 }) });
  t.is(reg.status, 200, reg.text);
  const local = JSON.parse((await getText(client.httpPort, '/v1/agent/services')).text) as Record<string, unknown>;
  t.truthy(local.api1);
  const down = await getText(client.httpPort, '/v1/catalog/services', {}, 20_000);
  t.is(down.status, 500);

  for (const s of servers) await c.restart(s);
  const leader = await c.waitForLeader(servers, 30_000);
  const synced = await until(
    async () => {
      const list = JSON.parse((await getText(leader.httpPort, '/v1/catalog/service/api')).text) as { Node: string; ServicePort: number }[];
      return list.length === 1 ? list[0] : undefined;
    },
    30_000,
    'the service registered during the outage in the catalog',
  );
  t.is(synced.Node, client.name);
  t.is(synced.ServicePort, 9000);
});
