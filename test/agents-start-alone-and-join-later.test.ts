import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { concord } from './_agent.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

interface Member {
  Name: string;
  Status: number;
  Tags: Record<string, string>;
}

async function members(port: number): Promise<Member[]> {
  return JSON.parse((await getText(port, '/v1/agent/members')).text) as Member[];
}

test('a client agent started without -join runs alone, answers state reads with "No known Consul servers", and joins later with concord join', async (t) => {
  const c = new ProcessCluster(t);
  const client = await c.startClient();

  // It runs, and shows itself as the only member.
  const alone = await members(client.httpPort);
  t.deepEqual(
    alone.map((m) => [m.Name, m.Status, m.Tags.role]),
    [[client.name, 1, 'node']],
  );
  const cli = await concord(['members'], httpAddr(client));
  t.is(cli.code, 0, cli.stderr);
  t.regex(cli.stdout, new RegExp(`^${client.name}\\s+127\\.0\\.0\\.1:${client.serfPort}\\s+alive\\s+client\\b`, 'm'));

  // State reads and writes fail at once with Consul's error.
  for (const path of ['/v1/kv/some/key', '/v1/catalog/nodes', '/v1/health/service/web', '/v1/catalog/services', '/v1/session/list']) {
    const started = Date.now();
    const r = await getText(client.httpPort, path);
    t.is(r.status, 500, path);
    t.is(r.text, 'No known Consul servers', path);
    t.true(Date.now() - started < 2000, `${path} answered without waiting for a server`);
  }
  const put = await getText(client.httpPort, '/v1/kv/some/key', { method: 'PUT', body: 'v' });
  t.deepEqual([put.status, put.text], [500, 'No known Consul servers']);
  const cliGet = await concord(['kv', 'get', 'some/key'], httpAddr(client));
  t.is(cliGet.code, 1);
  t.regex(cliGet.stderr, /No known Consul servers/);

  // A server comes up; the client joins it through the CLI.
  const [server] = await c.startServers(1);
  if (!server) return t.fail();
  const joined = await concord(['join', `127.0.0.1:${server.serfPort}`], httpAddr(client));
  t.is(joined.code, 0, joined.stderr);
  t.is(joined.stdout.trim(), 'Successfully joined cluster by contacting 1 nodes.');

  // Writes and reads through the client now reach the server.
  const written = await until(
    async () => {
      const r = await getText(client.httpPort, '/v1/kv/some/key', { method: 'PUT', body: 'joined' });
      return r.status === 200 ? r : undefined;
    },
    15_000,
    'a write through the joined client',
  );
  t.is(written.text, 'true');
  const read = await getText(client.httpPort, '/v1/kv/some/key?raw');
  t.deepEqual([read.status, read.text], [200, 'joined']);
  // The client registers its node in the catalog once it knows a server.
  await until(
    async () => {
      const nodes = JSON.parse((await getText(server.httpPort, '/v1/catalog/nodes')).text) as { Node: string }[];
      return nodes.some((n) => n.Node === client.name) || undefined;
    },
    15_000,
    'the client node in the catalog',
    200,
  );
  t.pass();
});

test('a client agent started alone joins later through PUT /v1/agent/join/<addr>', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const client = await c.startClient();
  if (!server) return t.fail();
  t.is((await getText(client.httpPort, '/v1/catalog/nodes')).text, 'No known Consul servers');

  const bad = await getText(client.httpPort, '/v1/agent/join/127.0.0.1:1', { method: 'PUT' });
  t.is(bad.status, 500);
  const join = await getText(client.httpPort, `/v1/agent/join/127.0.0.1:${server.serfPort}`, { method: 'PUT' });
  t.deepEqual([join.status, join.text], [200, '']);
  const after = await members(client.httpPort);
  t.deepEqual(after.map((m) => m.Name).sort(), [client.name, server.name].sort());

  const nodes = await until(
    async () => {
      const r = await getText(client.httpPort, '/v1/catalog/nodes');
      if (r.status !== 200) return undefined;
      const list = JSON.parse(r.text) as { Node: string }[];
      return list.length === 2 ? list : undefined;
    },
    15_000,
    'both nodes read through the client',
  );
  t.deepEqual(nodes.map((n) => n.Node).sort(), [client.name, server.name].sort());

  // An answer the client forwards from the server keeps the server's gzip encoding and headers.
  const gz = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: client.httpPort, path: '/v1/catalog/nodes', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  t.is(gz.headers['content-encoding'], 'gzip');
  t.is(gz.headers.vary, 'Accept-Encoding');
  t.is(gz.headers['x-consul-default-acl-policy'], 'allow');
  t.is((JSON.parse(gunzipSync(gz.body).toString()) as unknown[]).length, 2);
});

test('a server started without -bootstrap waits for peers, answers "No cluster leader", and is added to the cluster when joined later', async (t) => {
  const c = new ProcessCluster(t);
  const lone = await c.startServer();

  const read = await getText(lone.httpPort, '/v1/kv/k');
  t.deepEqual([read.status, read.text], [500, 'No cluster leader']);
  const leader = await getText(lone.httpPort, '/v1/status/leader');
  t.deepEqual([leader.status, leader.text], [200, '""']);
  const self = JSON.parse((await getText(lone.httpPort, '/v1/agent/self')).text) as { Stats: { consul: { leader: string } } };
  t.is(self.Stats.consul.leader, 'false');
  const listed = await members(lone.httpPort);
  t.deepEqual(
    listed.map((m) => [m.Name, m.Tags.role]),
    [[lone.name, 'consul']],
  );

  // A bootstrapped server elsewhere; the lone one is joined into it with the CLI.
  const [first] = await c.startServers(1);
  if (!first) return t.fail();
  const joined = await concord(['join', `127.0.0.1:${first.serfPort}`], httpAddr(lone));
  t.is(joined.code, 0, joined.stderr);

  // The leader adds it to raft; the lone server then answers reads and takes writes.
  await until(
    async () => {
      const conf = JSON.parse((await getText(first.httpPort, '/v1/operator/raft/configuration')).text) as { Servers: { Node: string; Voter: boolean }[] };
      return conf.Servers.some((s) => s.Node === lone.name && s.Voter) || undefined;
    },
    30_000,
    'the joined server to become a voter',
    200,
  );
  const put = await until(
    async () => {
      const r = await getText(lone.httpPort, '/v1/kv/k', { method: 'PUT', body: 'v' });
      return r.status === 200 ? r : undefined;
    },
    15_000,
    'a write through the joined server',
  );
  t.is(put.text, 'true');
  const got = await getText(lone.httpPort, '/v1/kv/k?raw');
  t.deepEqual([got.status, got.text], [200, 'v']);
  const leaderNow = await getText(lone.httpPort, '/v1/status/leader');
  t.is(leaderNow.text, JSON.stringify(`127.0.0.1:${first.rpcPort}`));
});
