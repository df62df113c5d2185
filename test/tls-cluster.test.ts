/**
 * Mutual TLS on the server RPC port (agent RPC and Raft), as Consul configures it: certificates
 * from `concord tls`, `verify_incoming`, `verify_outgoing`, `verify_server_hostname`, through
 * real agent processes and a raw gRPC client knocking on the port from outside.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import { runCli } from '@concord/testkit';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { mtlsConfig, pkisForFile, raftTcpHeartbeat, rpcFailure, rpcProbe } from './_tls.js';

const pkis = pkisForFile(test);

async function put(p: Proc, key: string, value: string): Promise<{ status: number; text: string }> {
  return getText(httpAddr(p), `/v1/kv/${key}`, { method: 'PUT', body: value });
}

async function raw(p: Proc, key: string, query = ''): Promise<{ status: number; text: string }> {
  return getText(httpAddr(p), `/v1/kv/${key}?raw${query}`);
}

test('concord tls ca/cert create: a CA and server, client and CLI certificates it signed, keys 0600', async (t) => {
  const ca = new X509Certificate(readFileSync(pkis.pki.ca));
  t.true(ca.ca);
  const server = new X509Certificate(readFileSync(pkis.pki.serverCert));
  const client = new X509Certificate(readFileSync(pkis.pki.clientCert));
  const cliCert = new X509Certificate(readFileSync(pkis.pki.cliCert));
  for (const leaf of [server, client, cliCert]) {
    t.true(leaf.verify(ca.publicKey), `${leaf.subject} is signed by the CA`);
    t.false(leaf.verify(new X509Certificate(readFileSync(pkis.rogue.ca)).publicKey));
  }
  t.is(server.checkHost('server.dc1.consul'), 'server.dc1.consul');
  t.is(server.checkIP('127.0.0.1'), '127.0.0.1');
  t.is(server.checkHost('localhost'), 'localhost');
  t.is(client.checkHost('client.dc1.consul'), 'client.dc1.consul');
  t.is(client.checkHost('server.dc1.consul'), undefined, 'a client certificate cannot pass as a server');
  t.is(cliCert.checkHost('cli.dc1.consul'), 'cli.dc1.consul');
  for (const key of [pkis.pki.caKey, pkis.pki.serverKey, pkis.pki.clientKey, pkis.pki.cliKey]) t.is(statSync(key).mode & 0o777, 0o600, key);

  const again = await runCli(['tls', 'ca', 'create'], { cwd: pkis.pki.dir, timeoutMs: 90_000 });
  t.is(again.code, 1);
  t.is(again.stderr.trim(), 'consul-agent-ca.pem already exists.');
  const second = await runCli(['tls', 'cert', 'create', '-server', '-node', 'n1', '-additional-ipaddress', '10.0.0.5'], { cwd: pkis.pki.dir, timeoutMs: 90_000 });
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /==> Saved dc1-server-consul-1\.pem\n==> Saved dc1-server-consul-1-key\.pem/);
  const s1 = new X509Certificate(readFileSync(join(pkis.pki.dir, 'dc1-server-consul-1.pem')));
  t.is(s1.checkHost('n1.server.dc1.consul'), 'n1.server.dc1.consul');
  t.is(s1.checkIP('10.0.0.5'), '10.0.0.5');
  const none = await runCli(['tls', 'cert', 'create'], { cwd: pkis.pki.dir });
  t.is(none.code, 1);
  t.is(none.stderr.trim(), 'Please provide either -server, -client, or -cli');
  const noCa = await runCli(['tls', 'cert', 'create', '-client', '-ca', 'missing.pem'], { cwd: pkis.pki.dir });
  t.is(noCa.code, 1);
  t.regex(noCa.stderr, /^Error reading CA: /);
});

test('mutual TLS: servers and a client agent form a cluster; outsiders are refused at the port', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: mtlsConfig(pkis.pki, pkis.pki.serverCert, pkis.pki.serverKey) });
  const client = await c.startClient({ join: servers[0], config: mtlsConfig(pkis.pki, pkis.pki.clientCert, pkis.pki.clientKey) });
  await until(async () => (await put(client, 'tls/k', 'v1')).text === 'true' || undefined, 20_000, 'a write through the client agent');
  for (const s of servers) {
    await until(async () => (await raw(s, 'tls/k', '&stale')).text === 'v1' || undefined, 10_000, `${s.name} has the write`);
  }
  // A write through each server: the followers pass theirs to the leader on the Raft connection, over mutual TLS.
  for (const [i, s] of servers.entries()) t.is((await put(s, `tls/via-${i}`, 'v')).text, 'true', `a write through ${s.name}`);

  const target = `127.0.0.1:${(servers[1] as Proc).rpcPort}`;
  const ca = readFileSync(pkis.pki.ca);
  const plain = rpcProbe(target);
  t.is(await rpcFailure(t, plain.status()), grpc.status.UNAVAILABLE, 'plaintext is refused');
  plain.close();
  const noCert = rpcProbe(target, { ca });
  t.is(await rpcFailure(t, noCert.status()), grpc.status.UNAVAILABLE, 'TLS without a client certificate is refused');
  noCert.close();
  const otherCa = rpcProbe(target, { ca, cert: readFileSync(pkis.rogue.clientCert), key: readFileSync(pkis.rogue.clientKey) });
  t.is(await rpcFailure(t, otherCa.status()), grpc.status.UNAVAILABLE, 'a certificate from another CA is refused');
  otherCa.close();

  const member = rpcProbe(target, { ca, cert: readFileSync(pkis.pki.clientCert), key: readFileSync(pkis.pki.clientKey) });
  t.truthy(await member.status(), 'a client certificate from the CA may call the agent RPC');
  const kv = (await member.call('KVS', 'Get', { key: 'tls/k' }, { consistency: 'STALE' })) as { Value: string } | null;
  t.is(Buffer.from(kv?.Value ?? '', 'base64').toString(), 'v1', 'a member may call the typed methods');
  // Nothing agent-local has a method: the old HTTP replay is gone, and unknown methods are refused.
  for (const path of ['/concord.agent.v1.Agent/Forward', '/concord.agent.v1.Agent/Apply', '/concord.agent.v1.Agent/Self', '/concord.agent.v1.KVS/Forward']) {
    t.is(await rpcFailure(t, member.rawCall(path)), grpc.status.UNIMPLEMENTED, `${path} does not exist`);
  }
  t.is(
    await rpcFailure(t, member.call('KVS', 'Apply', { command: { type: 'tombstone-reap', upTo: 1_000_000 } })),
    grpc.status.INVALID_ARGUMENT,
    'a write method applies only its own commands',
  );
  const ids = JSON.parse((await getText(httpAddr(servers[0] as Proc), '/v1/operator/raft/configuration')).text) as { Servers: { ID: string; Leader: boolean }[] };
  const leader = ids.Servers.find((s) => s.Leader) as { ID: string };
  const follower = ids.Servers.find((s) => !s.Leader) as { ID: string };
  t.is(await member.raftHeartbeat(leader.ID, follower.ID, 1_000_000), grpc.status.PERMISSION_DENIED, 'Raft refuses a peer whose certificate does not name a server');
  member.close();
  // The same forgery over the framed Raft transport on the same port.
  const port = (servers[1] as Proc).rpcPort;
  const clientCreds = { ca, cert: readFileSync(pkis.pki.clientCert), key: readFileSync(pkis.pki.clientKey) };
  t.is(await raftTcpHeartbeat(port, clientCreds, leader.ID, follower.ID, 2_000_000), 'closed', 'framed Raft refuses a peer whose certificate does not name a server');
  t.is(await raftTcpHeartbeat(port, undefined, leader.ID, follower.ID, 2_000_000), 'closed', 'framed Raft refuses plaintext');
  t.is(await raftTcpHeartbeat(port, { ca }, leader.ID, follower.ID, 2_000_000), 'closed', 'framed Raft refuses TLS without a client certificate');
  const stillLeader = JSON.parse((await getText(httpAddr(servers[0] as Proc), '/v1/operator/raft/configuration')).text) as { Servers: { ID: string; Leader: boolean }[] };
  t.is(stillLeader.Servers.find((s) => s.Leader)?.ID, leader.ID, 'the forged heartbeat deposed nobody');
  t.is((await put(client, 'tls/k', 'v2')).text, 'true');
});

test('verify_server_hostname: a client agent refuses a server whose certificate is not a server one', async (t) => {
  const c = new ProcessCluster(t);
  // The server presents a client certificate; it checks incoming certificates against the CA only.
  const server = await c.startServer({
    expect: 1,
    config: { tls: { defaults: { ca_file: pkis.pki.ca, cert_file: pkis.pki.clientCert, key_file: pkis.pki.clientKey, verify_incoming: true, verify_outgoing: true } } },
  });
  await c.waitForLeader([server], 20_000);
  const strict = await c.startClient({ join: server, config: mtlsConfig(pkis.pki, pkis.pki.clientCert, pkis.pki.clientKey) });
  const lax = await c.startClient({
    join: server,
    config: { tls: { defaults: { ca_file: pkis.pki.ca, cert_file: pkis.pki.clientCert, key_file: pkis.pki.clientKey, verify_outgoing: true } } },
  });
  const plain = await c.startClient({ join: server });
  await until(async () => (await put(lax, 'h/k', 'ok')).text === 'true' || undefined, 20_000, 'the lax client writes');
  t.is((await raw(lax, 'h/k')).text, 'ok');
  const refused = await put(strict, 'h/k', 'no');
  t.is(refused.status, 500, 'the strict client does not talk to a server without a server certificate');
  const plainRefused = await put(plain, 'h/k', 'no');
  t.is(plainRefused.status, 500, 'a plaintext client is refused by a server that verifies incoming connections');
  t.is((await raw(lax, 'h/k')).text, 'ok');
});

test('a server with a certificate but without verify_incoming takes plaintext and TLS agents alike (rolling upgrade)', async (t) => {
  const c = new ProcessCluster(t);
  const server = await c.startServer({
    expect: 1,
    config: { tls: { defaults: { ca_file: pkis.pki.ca, cert_file: pkis.pki.serverCert, key_file: pkis.pki.serverKey } } },
  });
  await c.waitForLeader([server], 20_000);
  const plain = await c.startClient({ join: server });
  const secure = await c.startClient({ join: server, config: mtlsConfig(pkis.pki, pkis.pki.clientCert, pkis.pki.clientKey) });
  await until(async () => (await put(plain, 'r/a', 'plain')).text === 'true' || undefined, 20_000, 'the plaintext client writes');
  await until(async () => (await put(secure, 'r/b', 'tls')).text === 'true' || undefined, 20_000, 'the TLS client writes');
  t.is((await raw(secure, 'r/a')).text, 'plain');
  t.is((await raw(plain, 'r/b')).text, 'tls');
});
