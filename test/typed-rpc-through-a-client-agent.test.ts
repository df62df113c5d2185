/**
 * The typed server RPC seen from outside: a client agent decodes each request and calls the
 * server's method, a blocking query blocks on the server (one call for the whole wait, no
 * polling), and a method's failure reaches the client with the status and text the server
 * would answer itself.
 */
import test from 'ava';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

const TELEMETRY = { telemetry: { prometheus_retention_time: '1m', disable_hostname: true } };

function counter(text: string, name: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${name} `));
  return found === undefined ? 0 : Number(found.slice(name.length + 1));
}

test('through a client agent: a blocking query is one call to the server for its whole wait, and errors keep their status and text', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1, { config: TELEMETRY });
  if (!server) return t.fail();
  const client = await c.startClient({ join: server, config: TELEMETRY });
  const viaClient = httpAddr(client);
  await until(async () => (await getText(viaClient, '/v1/kv/rpc/k', { method: 'PUT', body: 'v1' })).text === 'true' || undefined, 20_000, 'a write through the client');
  const first = await getText(viaClient, '/v1/kv/rpc/k');
  t.is(first.status, 200);
  const index = Number(first.headers.get('x-consul-index'));
  t.true(index > 0);
  t.is(first.headers.get('x-consul-knownleader'), 'true');

  // A blocking query through the client on an unchanged key: the client's calls to servers
  // (consul_client_rpc) grow by a handful at most while it waits, where polling would make dozens.
  const rpcs = async () => counter((await getText(viaClient, '/v1/agent/metrics?format=prometheus')).text, 'consul_client_rpc');
  const before = await rpcs();
  const started = Date.now();
  const held = await getText(viaClient, `/v1/kv/rpc/k?index=${index}&wait=3s`);
  const waited = Date.now() - started;
  const after = await rpcs();
  t.is(held.status, 200);
  t.is(Number(held.headers.get('x-consul-index')), index, 'the wait ran out with the same index');
  t.true(waited >= 2900, `answered after ${waited} ms`);
  t.true(after - before <= 4, `${after - before} calls to servers during a 3 s blocking query`);

  // A write elsewhere wakes it at once.
  const woken = getText(viaClient, `/v1/kv/rpc/k?index=${index}&wait=30s`);
  await new Promise((r) => setTimeout(r, 300));
  const wrote = Date.now();
  t.is((await getText(httpAddr(server), '/v1/kv/rpc/k', { method: 'PUT', body: 'v2' })).text, 'true');
  const w = await woken;
  t.true(Date.now() - wrote < 2000, 'woken by the write');
  t.true(Number(w.headers.get('x-consul-index')) > index);

  // Failures decided on the server come back as the server answers them.
  const renew = await getText(viaClient, '/v1/session/renew/00000000-0000-0000-0000-00000000dead', { method: 'PUT' });
  t.is(renew.status, 404);
  t.is(renew.text, "Session id '00000000-0000-0000-0000-00000000dead' not found");
  const acquire = await getText(viaClient, '/v1/kv/rpc/lock?acquire=00000000-0000-0000-0000-00000000dead', { method: 'PUT', body: 'x' });
  t.is(acquire.status, 500);
  t.regex(acquire.text, /00000000-0000-0000-0000-00000000dead/);
  const badFilter = await getText(viaClient, `/v1/catalog/nodes?filter=${encodeURIComponent('Node ==')}`);
  t.is(badFilter.status, 400);
  t.regex(badFilter.text, /^Failed to create boolean expression evaluator/);
  const otherDc = await getText(viaClient, '/v1/kv/rpc/k?dc=nowhere');
  t.is(otherDc.status, 500);
  t.is(otherDc.text, 'No path to datacenter');
  // Agent-local endpoints are the client's own.
  const self = JSON.parse((await getText(viaClient, '/v1/agent/self')).text) as { Config: { NodeName: string; Server: boolean } };
  t.is(self.Config.NodeName, client.name);
  t.false(self.Config.Server);
});
