/**
 * Servers send Raft over the framed TCP transport by default, or over gRPC with
 * CONCORD_RAFT_TRANSPORT=grpc; each accepts both on its RPC port, so a cluster mixing them (a
 * rolling switch of the setting) elects, replicates and moves leadership across them.
 */
import test from 'ava';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

async function put(p: Proc, key: string, value: string): Promise<string> {
  return (await getText(httpAddr(p), `/v1/kv/${key}`, { method: 'PUT', body: value })).text;
}

async function leaderId(p: Proc): Promise<string | undefined> {
  const conf = JSON.parse((await getText(httpAddr(p), '/v1/operator/raft/configuration')).text) as { Servers: { ID: string; Leader: boolean }[] };
  return conf.Servers.find((s) => s.Leader)?.ID;
}

test('servers sending Raft over framed TCP and over gRPC form one cluster, replicate, and hand leadership across', async (t) => {
  const c = new ProcessCluster(t);
  const first = await c.startServer({ expect: 3 });
  const grpcServer = await c.startServer({ expect: 3, join: first, env: { CONCORD_RAFT_TRANSPORT: 'grpc' } });
  const third = await c.startServer({ expect: 3, join: first });
  const servers = [first, grpcServer, third];
  await c.waitForLeader(servers, 30_000);
  for (const [i, s] of servers.entries()) {
    await until(async () => (await put(s, `mixed/${i}`, `v${i}`)) === 'true' || undefined, 20_000, `a write through ${s.name}`);
  }
  for (const s of servers) {
    for (let i = 0; i < servers.length; i++) {
      await until(async () => (await getText(httpAddr(s), `/v1/kv/mixed/${i}?raw&stale`)).text === `v${i}` || undefined, 20_000, `${s.name} has mixed/${i}`);
    }
  }
  // Leadership moves to the server that sends over gRPC; writes still commit and replicate.
  const self = JSON.parse((await getText(httpAddr(grpcServer), '/v1/agent/self')).text) as { Config: { NodeID: string } };
  const target = self.Config.NodeID;
  if ((await leaderId(first)) !== target) {
    const res = await getText(httpAddr(first), `/v1/operator/raft/transfer-leader?id=${target}`, { method: 'PUT' });
    t.is(res.status, 200, res.text);
  }
  await until(async () => (await leaderId(first)) === target || undefined, 20_000, 'the gRPC-sending server to lead');
  await until(async () => (await put(third, 'mixed/after', target)) === 'true' || undefined, 20_000, 'a write under the new leader');
  for (const s of [first, third]) {
    await until(async () => (await getText(httpAddr(s), '/v1/kv/mixed/after?raw&stale')).text === target || undefined, 20_000, `${s.name} has the write`);
  }
  t.pass();
});
