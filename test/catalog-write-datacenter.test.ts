/**
 * A catalog write whose body (or `?dc=`) names another datacenter is never applied to this one:
 * Consul routes it by the body's `Datacenter` and answers `500 No path to datacenter` when it
 * cannot reach it. Checked on a dev agent and through a client agent of a one-server cluster.
 */
import test from 'ava';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { startDevAgent } from './_agent.js';

type Send = (method: string, path: string, body?: unknown) => Promise<{ status: number; text: string }>;

function sender(base: string | number): Send {
  return (method, path, body) => getText(base, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function nodeNames(send: Send): Promise<string[]> {
  const r = await send('GET', '/v1/catalog/nodes');
  if (r.status !== 200) throw new Error(`catalog nodes: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { Node: string }[]).map((n) => n.Node);
}

async function serviceIds(send: Send, name: string): Promise<string[]> {
  const r = await send('GET', `/v1/catalog/service/${name}`);
  if (r.status !== 200) throw new Error(`catalog service: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { ServiceID: string }[]).map((s) => s.ServiceID).sort();
}

/** The whole matrix of foreign-datacenter writes against one agent. */
async function checkForeignWritesRefused(t: import('ava').ExecutionContext, send: Send): Promise<void> {
  const ok = await send('PUT', '/v1/catalog/register', {
    Node: 'foo',
    Address: '10.1.1.1',
    Service: { ID: 'db1', Service: 'db', Port: 5432 },
  });
  t.is(ok.status, 200, ok.text);

  const foreignDeregs = [
    { Node: 'foo', Datacenter: 'dc2' },
    { Node: 'foo', ServiceID: 'db1', Datacenter: 'dc2' },
    { Node: 'foo', CheckID: 'serfHealth', Datacenter: 'dc2' },
  ];
  for (const body of foreignDeregs) {
    const r = await send('PUT', '/v1/catalog/deregister', body);
    t.is(r.status, 500, JSON.stringify(body));
    t.is(r.text.trim(), 'No path to datacenter');
  }
  const byQuery = await send('PUT', '/v1/catalog/deregister?dc=dc2', { Node: 'foo' });
  t.is(byQuery.status, 500);
  t.true((await nodeNames(send)).includes('foo'), 'node foo is still in dc1');
  t.deepEqual(await serviceIds(send, 'db'), ['db1'], 'its service is still in dc1');

  const foreignReg = await send('PUT', '/v1/catalog/register', {
    Node: 'bar',
    Address: '10.1.1.2',
    Datacenter: 'dc2',
    Service: { ID: 'db2', Service: 'db', Port: 5432 },
  });
  t.is(foreignReg.status, 500);
  t.is(foreignReg.text.trim(), 'No path to datacenter');
  const foreignRegByQuery = await send('PUT', '/v1/catalog/register?dc=dc2', { Node: 'bar', Address: '10.1.1.2' });
  t.is(foreignRegByQuery.status, 500);
  t.false((await nodeNames(send)).includes('bar'), 'nothing was registered in dc1');
  t.deepEqual(await serviceIds(send, 'db'), ['db1']);

  const coord = { Node: 'foo', Datacenter: 'dc2', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } };
  const foreignCoord = await send('PUT', '/v1/coordinate/update', coord);
  t.is(foreignCoord.status, 500);
  t.is(foreignCoord.text.trim(), 'No path to datacenter');

  const notString = await send('PUT', '/v1/catalog/deregister', { Node: 'foo', Datacenter: 2 });
  t.is(notString.status, 400, 'a Datacenter that is not a string is bad input');
  t.true((await nodeNames(send)).includes('foo'));

  // Naming this datacenter, in any case, is the same as naming none.
  const own = await send('PUT', '/v1/catalog/deregister', { Node: 'foo', ServiceID: 'db1', Datacenter: 'DC1' });
  t.is(own.status, 200, own.text);
  t.deepEqual(await serviceIds(send, 'db'), []);
  const ownNode = await send('PUT', '/v1/catalog/deregister', { Node: 'foo', Datacenter: 'dc1' });
  t.is(ownNode.status, 200, ownNode.text);
  t.false((await nodeNames(send)).includes('foo'));
}

test('dev agent: catalog and coordinate writes naming another datacenter are refused and change nothing', async (t) => {
  const agent = await startDevAgent(t);
  await checkForeignWritesRefused(t, sender(agent.port));
});

test('client agent: a forwarded catalog write naming another datacenter changes nothing on the servers', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const client = await c.startClient({ join: server });
  const send = sender(httpAddr(client));
  await until(async () => (await send('GET', '/v1/catalog/nodes')).status === 200, 20_000, 'the client reaches a leader');
  await checkForeignWritesRefused(t, send);
  t.false((await nodeNames(sender(httpAddr(server!)))).includes('bar'), 'the server never saw the foreign registration');
});
