import { data, dig, digTest } from './_dns-helpers.js';
import { http, startMember, startServers } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';

digTest('a client agent creates, executes and serves prepared queries over DNS through its server; _agent is the client', async (t) => {
  const [server] = await startServers(t, 1);
  const client = await startMember(t, { join: server, dns: true });
  const put = async (path: string, body: object) => {
    const r = await http(client.base, path, { method: 'PUT', body: JSON.stringify(body) });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  };
  // one instance on the client itself, two on other nodes
  await put('/v1/agent/service/register', { ID: 'local', Name: 'near', Port: 7000 });
  for (const i of [1, 2]) {
    await put('/v1/catalog/register', { Node: `far-${i}`, Address: `10.4.0.${i}`, Service: { ID: `far-${i}`, Service: 'near', Address: `10.4.1.${i}`, Port: 7000 } });
  }
  const created = await http(client.base, '/v1/query', {
    method: 'POST',
    body: JSON.stringify({ Name: 'near-me', Service: { Service: 'near', Near: '_agent' }, DNS: { TTL: '4s' } }),
  });
  t.is(created.status, 200, created.text);
  const execute = async () => JSON.parse((await http(client.base, '/v1/query/near-me/execute')).text) as { Nodes: { Node: { Node: string } }[] };
  await waitFor(async () => (await execute()).Nodes.length === 3, 15_000, 50);
  for (let i = 0; i < 5; i++) t.is((await execute()).Nodes[0]?.Node.Node, client.name, 'the asking agent comes first');

  const port = client.agent.dnsPort;
  const a = await dig(port, 'near-me.query.consul', 'A');
  t.is(a.status, 'NOERROR');
  t.is(a.answer.length, 3);
  t.is(a.answer[0]?.data, '127.0.0.1', 'over DNS too, the client agent comes first');
  t.true(a.answer.every((r) => r.ttl === 4));
  const srv = await dig(port, 'near-me.query.consul', 'SRV');
  t.is(srv.answer.length, 3);
  t.is((await dig(port, 'nobody.query.consul', 'A')).status, 'NXDOMAIN');
  // reverse lookups of a service address go through the server as well
  t.deepEqual(data((await dig(port, '-x', '10.4.1.2')).answer, 'PTR'), ['near.service.dc1.consul.']);
});
