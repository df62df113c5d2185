import test from 'ava';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

const TELEMETRY = { telemetry: { prometheus_retention_time: '1m', disable_hostname: true } };

function value(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

test('servers count consul_rpc_request and serf member joins; a client counts consul_client_rpc; forwarded writes are timed on the server', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1, { config: TELEMETRY });
  if (!server) return t.fail();
  const client = await c.startClient({ join: server, config: TELEMETRY });
  const metrics = async (p: typeof server) => (await getText(httpAddr(p), '/v1/agent/metrics?format=prometheus')).text;

  await until(async () => value(await metrics(server), 'consul_serf_member_join') >= 1, 20_000, 'a serf join counted on the server');
  for (let i = 0; i < 3; i++) {
    const put = await getText(httpAddr(client), `/v1/kv/through-client-${i}`, { method: 'PUT', body: 'v' });
    t.is(put.text, 'true');
  }
  const onClient = await metrics(client);
  t.regex(onClient, /^# TYPE consul_client_rpc counter$/m);
  t.true(value(onClient, 'consul_client_rpc') >= 3);
  t.regex(onClient, /^# TYPE consul_http_PUT_v1_kv__ summary$/m);
  t.true(value(onClient, 'consul_members_servers') >= 1);
  t.true(value(onClient, 'consul_members_clients') >= 1);

  const onServer = await metrics(server);
  t.regex(onServer, /^# TYPE consul_rpc_request counter$/m);
  t.true(value(onServer, 'consul_rpc_request') >= 3);
  t.true(value(onServer, 'consul_kvs_apply_count') >= 3);
  t.true(value(onServer, 'consul_serf_member_join') >= 1);
  t.regex(onServer, /^# TYPE consul_memberlist_udp_sent counter$/m);
  t.true(value(onServer, 'consul_memberlist_udp_sent') > 0);
});
