/**
 * ACLs on a 3-server cluster with a client agent: tokens and policies created through one server
 * work through another within 2 s; a client agent resolves tokens through the servers (cached for
 * token_ttl); tokens survive a restart of every server and a snapshot restore puts the ACL tables
 * back as they were.
 */
import { Resolver } from 'node:dns/promises';
import test from 'ava';
import { ProcessCluster, getText, until } from './_process-cluster.js';

const ROOT = '3f0e1c2a-7d4b-4e55-9a61-0c9d8e7f6a5b';
const RECOVERY = '9b2f6c1d-3e4a-4b5c-8d7e-1f2a3b4c5d6e';
const ACL = { acl: { enabled: true, default_policy: 'deny', token_ttl: '1s', tokens: { initial_management: ROOT, agent_recovery: RECOVERY } } };

const req = (port: number, method: string, path: string, token?: string, body?: string) =>
  getText(port, path, { method, headers: token ? { 'X-Consul-Token': token } : {}, ...(body === undefined ? {} : { body }) });

test('tokens made through one server work through another within 2 s, on a client agent, after restarts and a snapshot restore', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: ACL });
  const [s1, s2, s3] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]];
  const client = await c.startClient({ join: s1, config: ACL, dns: true });
  // Every server has the management token (an ACL list is authorized from the answering server's own state).
  for (const s of servers) await until(async () => (await req(s.httpPort, 'GET', '/v1/acl/policies', ROOT)).status === 200, 30_000, `the initial management token on ${s.name}`);

  // Create through s1; use through s3 within 2 s.
  const pol = await req(
    s1.httpPort,
    'PUT',
    '/v1/acl/policy',
    ROOT,
    JSON.stringify({ Name: 'app', Rules: 'key_prefix "app/" { policy = "write" }\nagent_prefix "" { policy = "read" }' }),
  );
  t.is(pol.status, 200, pol.text);
  const tok = await req(s1.httpPort, 'PUT', '/v1/acl/token', ROOT, JSON.stringify({ Policies: [{ Name: 'app' }] }));
  const app = JSON.parse(tok.text) as { SecretID: string; AccessorID: string };
  // The time until a request through s3 that the token made work was sent (its own latency on a
  // loaded machine aside): Consul's bound is replication, not request time.
  const created = Date.now();
  let sentAt = 0;
  await until(
    async () => {
      const at = Date.now();
      const ok = (await req(s3.httpPort, 'PUT', '/v1/kv/app/a', app.SecretID, 'v')).status === 200;
      if (ok) sentAt = at;
      return ok;
    },
    15_000,
    'the new token to work through another server',
    50,
  );
  t.true(sentAt - created <= 2000, `usable through another server after ${sentAt - created} ms`);
  t.is(
    (await req(s3.httpPort, 'PUT', '/v1/kv/other', app.SecretID, 'v')).text,
    `Permission denied: token with AccessorID '${app.AccessorID}' lacks permission 'key:write' on "other"`,
  );
  t.is((await req(s2.httpPort, 'GET', '/v1/kv/app/a')).status, 403, 'anonymous is denied');

  // The client agent resolves the token through a server.
  await until(async () => (await req(client.httpPort, 'GET', '/v1/kv/app/a', app.SecretID)).status === 200, 20_000, 'the client to read with the token');
  t.is((await req(client.httpPort, 'GET', '/v1/kv/other', app.SecretID)).status, 403);
  t.is((await req(client.httpPort, 'GET', '/v1/agent/self', app.SecretID)).status, 200, 'agent read on the client node');
  t.is((await req(client.httpPort, 'PUT', '/v1/agent/reload', app.SecretID)).status, 403, 'agent write is not granted');
  t.is((await req(client.httpPort, 'GET', '/v1/kv/app/a', 'not-a-token')).text, 'ACL not found');
  // The ACL API through the client agent: reads and writes go to the servers.
  const self = await req(client.httpPort, 'GET', '/v1/acl/token/self', app.SecretID);
  t.is(JSON.parse(self.text).AccessorID, app.AccessorID, self.text);
  t.is((await req(client.httpPort, 'PUT', '/v1/acl/policy', app.SecretID, JSON.stringify({ Name: 'nope' }))).status, 403);
  const viaClient = await req(client.httpPort, 'PUT', '/v1/acl/policy', ROOT, JSON.stringify({ Name: 'from-client', Rules: 'node_prefix "" { policy = "read" }' }));
  t.is(viaClient.status, 200, viaClient.text);
  t.is(JSON.parse((await req(s2.httpPort, 'GET', '/v1/acl/policy/name/from-client', ROOT)).text).ID, JSON.parse(viaClient.text).ID);

  // The client's DNS answers as its default token, asking the servers with it.
  t.is((await req(s1.httpPort, 'PUT', '/v1/catalog/register', ROOT, JSON.stringify({ Node: 'web1', Address: '127.0.0.7', Service: { Service: 'web', Port: 80 } }))).status, 200);
  const dns = new Resolver({ timeout: 2000, tries: 1 });
  dns.setServers([`127.0.0.1:${client.dnsPort}`]);
  const lookup = (name: string) => dns.resolve4(name).catch(() => [] as string[]);
  t.deepEqual(await lookup('web.service.consul'), [], 'anonymous reads no service');
  const reader = await req(
    s1.httpPort,
    'PUT',
    '/v1/acl/policy',
    ROOT,
    JSON.stringify({ Name: 'web-read', Rules: 'service "web" { policy = "read" }\nnode_prefix "" { policy = "read" }' }),
  );
  const readerToken = JSON.parse((await req(s1.httpPort, 'PUT', '/v1/acl/token', ROOT, JSON.stringify({ Policies: [{ ID: JSON.parse(reader.text).ID }] }))).text)
    .SecretID as string;
  t.is((await req(client.httpPort, 'PUT', '/v1/agent/token/default', ROOT, JSON.stringify({ Token: readerToken }))).status, 200);
  await until(async () => (await lookup('web.service.consul')).length === 1, 10_000, 'web over the client DNS');

  // Snapshot, then a token made after it is gone once the snapshot is restored.
  const snap = await fetch(`http://127.0.0.1:${s1.httpPort}/v1/snapshot`, { headers: { 'X-Consul-Token': ROOT } });
  t.is(snap.status, 200);
  const saved = Buffer.from(await snap.arrayBuffer());
  const later = JSON.parse((await req(s1.httpPort, 'PUT', '/v1/acl/token', ROOT, JSON.stringify({ Policies: [{ Name: 'app' }] }))).text) as { SecretID: string };
  await until(async () => (await req(s2.httpPort, 'GET', '/v1/kv/app/a', later.SecretID)).status === 200, 5000, 'the later token');
  const restore = await fetch(`http://127.0.0.1:${s1.httpPort}/v1/snapshot`, { method: 'PUT', body: saved, headers: { 'X-Consul-Token': ROOT } });
  t.is(restore.status, 200, await restore.text());
  await until(async () => (await req(s2.httpPort, 'GET', '/v1/kv/app/a', later.SecretID)).text === 'ACL not found', 10_000, 'the later token to be gone');
  t.is((await req(s2.httpPort, 'GET', '/v1/kv/app/a', app.SecretID)).status, 200, 'the token in the snapshot still works');

  // Every server restarts; the tokens are still there.
  for (const s of servers) await c.restart(s);
  await c.waitForLeader(servers, 30_000);
  await until(async () => (await req(s2.httpPort, 'GET', '/v1/kv/app/a', app.SecretID)).status === 200, 30_000, 'the token after restarts');
  t.is((await req(s3.httpPort, 'GET', '/v1/acl/token/self', ROOT)).status, 200);

  // Deleting the token: the client stops honouring it once its 1 s cache runs out.
  t.is((await req(s1.httpPort, 'DELETE', `/v1/acl/token/${app.AccessorID}`, ROOT)).text, 'true');
  await until(async () => (await req(client.httpPort, 'GET', '/v1/kv/app/a', app.SecretID)).text === 'ACL not found', 10_000, 'the client to drop the deleted token');
});
