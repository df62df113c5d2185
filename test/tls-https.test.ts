/**
 * The HTTPS API (`ports.https`, `http = -1`), the CLI's TLS flags and environment, certificate
 * reload on SIGHUP, the older top-level TLS keys, and the configurations that must not start.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import test from 'ava';
import { exchange, httpsAgentFor } from '@concord/api';
import { runCli } from '@concord/testkit';
import { BIN, ROOT } from './_agent.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { type SpawnedServer, mtlsConfig, pkisForFile, rpcFailure, rpcProbe, spawnServerWithConfig } from './_tls.js';
import * as grpc from '@grpc/grpc-js';
import { dockerTest, ensureTestImages, imageRef, publishedPort, runContainer, uniqueName } from './_docker.js';

const pkis = pkisForFile(test);

interface Spawned extends SpawnedServer {
  rpcPort: number;
}

/** Starts `concord agent` with a config file; resolves after its banner (or rejects with its output). */
async function spawnAgent(t: import('ava').ExecutionContext, config: Record<string, unknown>, args: string[] = []): Promise<Spawned> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-https-'));
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(config));
  return { ...(await spawnServerWithConfig(t, dir, file, args)), rpcPort: 0 };
}

/** Runs `concord agent` expecting it to refuse the configuration; resolves with its output. */
async function refusedConfig(config: Record<string, unknown>): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-badtls-'));
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(config));
  try {
    const r = await runCli(
      [
        'agent',
        '-server',
        '-bootstrap-expect=1',
        '-data-dir',
        join(dir, 'd'),
        '-bind',
        '127.0.0.1',
        '-http-port',
        '0',
        '-dns-port',
        '-1',
        '-server-port',
        '0',
        '-serf-lan-port',
        '0',
        '-serf-wan-port',
        '0',
        '-config-file',
        file,
      ],
      { timeoutMs: 90_000 },
    );
    return { code: r.code, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function httpsOnly(cert: string, key: string): Record<string, unknown> {
  return {
    ports: { http: -1, https: 0 },
    tls: { defaults: { ca_file: pkis.pki.ca, cert_file: cert, key_file: key, verify_incoming: true, verify_outgoing: true } },
  };
}

/** The serial number of the certificate a TLS listener presents. */
function presentedSerial(port: number, cert: string, key: string, alpn?: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port,
      servername: 'server.dc1.consul',
      ca: readFileSync(pkis.pki.ca),
      cert: readFileSync(cert),
      key: readFileSync(key),
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    });
    s.once('secureConnect', () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.destroy();
    });
    s.once('error', reject);
  });
}

test('HTTPS only: the CLI reaches it with -ca-file/-client-cert/-client-key or the CONSUL_* environment, and nothing else does', async (t) => {
  const a = await spawnAgent(t, httpsOnly(pkis.pki.serverCert, pkis.pki.serverKey));
  t.regex(a.out(), /\(HTTP: -1, HTTPS: \d+,/);
  const addr = `https://127.0.0.1:${a.httpsPort}`;
  const flags = ['-http-addr', addr, '-ca-file', pkis.pki.ca, '-client-cert', pkis.pki.cliCert, '-client-key', pkis.pki.cliKey];
  await until(async () => (await runCli(['kv', 'put', ...flags, 'sec/k', 'v1'])).code === 0 || undefined, 20_000, 'a write over HTTPS');
  const got = await runCli(['kv', 'get', ...flags, 'sec/k']);
  t.is(got.stdout.trim(), 'v1', got.stderr);

  const env = {
    CONSUL_HTTP_ADDR: `127.0.0.1:${a.httpsPort}`,
    CONSUL_HTTP_SSL: 'true',
    CONSUL_CACERT: pkis.pki.ca,
    CONSUL_CLIENT_CERT: pkis.pki.cliCert,
    CONSUL_CLIENT_KEY: pkis.pki.cliKey,
  };
  t.is((await runCli(['kv', 'get', 'sec/k'], { env })).stdout.trim(), 'v1');
  const twins = { CONCORD_HTTP_ADDR: addr, CONCORD_CACERT: pkis.pki.ca, CONCORD_CLIENT_CERT: pkis.pki.cliCert, CONCORD_CLIENT_KEY: pkis.pki.cliKey, CONSUL_CACERT: pkis.rogue.ca };
  t.is((await runCli(['kv', 'get', 'sec/k'], { env: twins })).stdout.trim(), 'v1', 'CONCORD_* wins over CONSUL_*');
  const named = await runCli(['kv', 'get', ...flags, '-tls-server-name', 'server.dc1.consul', 'sec/k']);
  t.is(named.stdout.trim(), 'v1', named.stderr);
  const skip = await runCli(['kv', 'get', '-http-addr', addr, '-client-cert', pkis.pki.cliCert, '-client-key', pkis.pki.cliKey, 'sec/k'], {
    env: { CONSUL_HTTP_SSL_VERIFY: 'false' },
  });
  t.is(skip.stdout.trim(), 'v1', skip.stderr);

  const noCert = await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', pkis.pki.ca, 'sec/k']);
  t.is(noCert.code, 1);
  t.regex(noCert.stderr, /certificate required|handshake|socket hang up|ECONNRESET/i);
  const wrongCa = await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', pkis.rogue.ca, '-client-cert', pkis.pki.cliCert, '-client-key', pkis.pki.cliKey, 'sec/k']);
  t.is(wrongCa.code, 1);
  t.regex(wrongCa.stderr, /certificate/i);
  const wrongName = await runCli(['kv', 'get', ...flags, '-tls-server-name', 'server.dc9.consul', 'sec/k']);
  t.is(wrongName.code, 1);
  t.regex(wrongName.stderr, /altnames|does not match/i);
  const missing = await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', join(pkis.pki.dir, 'nope.pem'), 'sec/k']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^Error loading CA file .*nope\.pem/);
  const plain = await runCli(['kv', 'get', '-http-addr', `127.0.0.1:${a.httpsPort}`, 'sec/k']);
  t.is(plain.code, 1, 'plain HTTP to the HTTPS port fails');
});

test('a client agent forwards to a server that serves HTTPS only; SIGHUP reloads the certificates of HTTPS and RPC', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server-key.pem');
  copyFileSync(pkis.pki.serverCert, cert);
  copyFileSync(pkis.pki.serverKey, key);
  const a = await spawnAgent(t, httpsOnly(cert, key));
  const c = new ProcessCluster(t);
  const client = await c.startClient({
    join: { bind: '127.0.0.1', serfPort: a.serfPort } as never,
    config: mtlsConfig(pkis.pki, pkis.pki.clientCert, pkis.pki.clientKey),
  });
  await until(
    async () => (await getText(httpAddr(client), '/v1/kv/fw/k', { method: 'PUT', body: 'via-client' })).text === 'true' || undefined,
    20_000,
    'a write through the client',
  );
  t.is((await getText(httpAddr(client), '/v1/kv/fw/k?raw')).text, 'via-client');

  const members = JSON.parse((await getText(httpAddr(client), '/v1/agent/members')).text) as { Tags: Record<string, string> }[];
  const rpcPort = Number(members.find((m) => m.Tags.role === 'consul')?.Tags.port);
  const before = await presentedSerial(a.httpsPort, pkis.pki.cliCert, pkis.pki.cliKey);
  const rpcBefore = await presentedSerial(rpcPort, pkis.pki.clientCert, pkis.pki.clientKey, ['h2']);
  t.is(before, rpcBefore);

  const made = await runCli(['tls', 'cert', 'create', '-server'], { cwd: pkis.pki.dir });
  t.is(made.code, 0, made.stderr);
  const fresh = made.stdout.match(/Saved (dc1-server-consul-\d+\.pem)/)?.[1] as string;
  copyFileSync(join(pkis.pki.dir, fresh), cert);
  copyFileSync(join(pkis.pki.dir, fresh.replace(/\.pem$/, '-key.pem')), key);
  process.kill(a.child.pid as number, 'SIGHUP');
  const after = await until(
    async () => {
      const s = await presentedSerial(a.httpsPort, pkis.pki.cliCert, pkis.pki.cliKey);
      return s !== before ? s : undefined;
    },
    10_000,
    'HTTPS to present the new certificate',
  );
  const rpcAfter = await until(
    async () => {
      const s = await presentedSerial(rpcPort, pkis.pki.clientCert, pkis.pki.clientKey, ['h2']);
      return s !== rpcBefore ? s : undefined;
    },
    10_000,
    'the RPC port to present the new certificate',
  );
  t.is(after, rpcAfter);
  t.is((await getText(httpAddr(client), '/v1/kv/fw/k', { method: 'PUT', body: 'after-reload' })).text, 'true');

  // A reload with a key that does not match keeps serving the last good pair.
  writeFileSync(key, readFileSync(pkis.pki.clientKey));
  process.kill(a.child.pid as number, 'SIGHUP');
  await until(async () => /reload failed/.test(a.out()) || undefined, 10_000, 'the failed reload to be logged');
  t.is(await presentedSerial(a.httpsPort, pkis.pki.cliCert, pkis.pki.cliKey), after);
});

test('the older top-level TLS keys configure mutual TLS as the tls block does', async (t) => {
  const legacy = (cert: string, key: string) => ({
    ca_file: pkis.pki.ca,
    cert_file: cert,
    key_file: key,
    verify_incoming: true,
    verify_outgoing: true,
    verify_server_hostname: true,
  });
  const c = new ProcessCluster(t);
  const server = await c.startServer({ expect: 1, config: legacy(pkis.pki.serverCert, pkis.pki.serverKey) });
  await c.waitForLeader([server], 20_000);
  const client = await c.startClient({ join: server, config: legacy(pkis.pki.clientCert, pkis.pki.clientKey) });
  await until(async () => (await getText(httpAddr(client), '/v1/kv/legacy', { method: 'PUT', body: 'x' })).text === 'true' || undefined, 20_000, 'a write through the client');
  const plain = rpcProbe(`127.0.0.1:${server.rpcPort}`);
  t.is(await rpcFailure(t, plain.status()), grpc.status.UNAVAILABLE);
  plain.close();
});

test('configurations asking for TLS that cannot be given refuse to start, saying why', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ tls: { defaults: { verify_incoming: true, cert_file: pkis.pki.serverCert, key_file: pkis.pki.serverKey } } }, /VerifyIncoming set but no CA certificates were provided/],
    [{ tls: { internal_rpc: { ca_file: pkis.pki.ca, verify_incoming: true } } }, /VerifyIncoming requires either a Cert and Key pair/],
    [{ verify_outgoing: true }, /VerifyOutgoing set but no CA certificates were provided/],
    [{ ports: { https: 0 } }, /HTTPS port set but no cert_file and key_file/],
    [{ tls: { defaults: { ca_file: join(pkis.pki.dir, 'missing.pem') } } }, /Error loading from .*missing\.pem/],
    [{ tls: { defaults: { ca_file: pkis.pki.ca, cert_file: pkis.pki.serverCert, key_file: pkis.pki.clientKey } } }, /Failed to load cert\/key pair/],
    [{ tls: { defaults: { tls_min_version: 'TLSv1_9' } } }, /TLS version 'TLSv1_9' is not supported/],
    [{ tls: { defaults: { tls_cipher_suites: 'TLS_RSA_WITH_RC4_128_SHA' } } }, /unsupported cipher/],
    [{ tls: { defaults: { tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', tls_min_version: 'TLSv1_3' } } }, /not configurable with TLSv1_3/],
    [{ tls: { internal_rpc: { verify_everything: true } } }, /tls\.internal_rpc: invalid config key verify_everything/],
  ];
  const results = await Promise.all(cases.map(([config]) => refusedConfig(config)));
  cases.forEach(([config, message], i) => {
    const r = results[i] as { code: number | null; out: string };
    t.is(r.code, 1, JSON.stringify(config));
    t.regex(r.out, message, JSON.stringify(config));
  });
});

dockerTest('the registrator registers containers with an HTTPS-only agent through consul-tls://', async (t) => {
  ensureTestImages();
  const a = await spawnAgent(t, httpsOnly(pkis.pki.serverCert, pkis.pki.serverKey));
  const label = `concord.test=${uniqueName('tls')}`;
  const env = { ...process.env, CONSUL_CACERT: pkis.pki.ca, CONSUL_CLIENT_CERT: pkis.pki.cliCert, CONSUL_CLIENT_KEY: pkis.pki.cliKey };
  const sidecar = spawn(process.execPath, [BIN, 'registrator', '-ip', '127.0.0.1', '-require-label', label, '-retry-interval', '500', `consul-tls://127.0.0.1:${a.httpsPort}`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  sidecar.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  sidecar.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  t.teardown(async () => {
    if (sidecar.exitCode === null && sidecar.pid !== undefined) {
      const gone = new Promise((r) => sidecar.once('exit', r));
      process.kill(sidecar.pid, 'SIGKILL');
      await gone;
    }
  });
  const name = uniqueName('tlsredis');
  await runContainer(t, name, ['-l', label, '-p', '127.0.0.1::6379', imageRef('redis')]);
  const port = await publishedPort(name, '6379/tcp');
  const flags = ['-http-addr', `https://127.0.0.1:${a.httpsPort}`, '-ca-file', pkis.pki.ca, '-client-cert', pkis.pki.cliCert, '-client-key', pkis.pki.cliKey];
  const listed = await until(
    async () => {
      const r = await runCli(['catalog', 'services', '-tags', ...flags]);
      return /^redis\b/m.test(r.stdout) ? r.stdout : undefined;
    },
    30_000,
    `the container registered (registrator log: ${log.slice(-500)})`,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${log.slice(-2000)}`);
  });
  t.regex(listed, /^redis\b/m);
  const agent = httpsAgentFor({ caFile: pkis.pki.ca, certFile: pkis.pki.cliCert, keyFile: pkis.pki.cliKey });
  const r = await exchange(new URL(`https://127.0.0.1:${a.httpsPort}/v1/catalog/service/redis`), { method: 'GET', ...(agent ? { agent } : {}) });
  const entries = JSON.parse(r.body.toString()) as { ServicePort: number; ServiceAddress: string }[];
  t.deepEqual(
    entries.map((e) => [e.ServiceAddress, e.ServicePort]),
    [['127.0.0.1', port]],
  );
});

test('concord template renders from an HTTPS-only agent with -consul-ssl and its CA and client certificate flags', async (t) => {
  const a = await spawnAgent(t, httpsOnly(pkis.pki.serverCert, pkis.pki.serverKey));
  const flags = ['-http-addr', `https://127.0.0.1:${a.httpsPort}`, '-ca-file', pkis.pki.ca, '-client-cert', pkis.pki.cliCert, '-client-key', pkis.pki.cliKey];
  await until(async () => (await runCli(['kv', 'put', ...flags, 'tmpl/greeting', 'hello over TLS'])).code === 0 || undefined, 20_000, 'a write over HTTPS');
  const dir = mkdtempSync(join(tmpdir(), 'concord-tmpl-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'in.tmpl'), '{{ key "tmpl/greeting" }}\n');
  const ssl = ['-consul-addr', `127.0.0.1:${a.httpsPort}`, '-consul-ssl', '-consul-ssl-ca-cert', pkis.pki.ca];
  const out = join(dir, 'out.txt');
  const r = await runCli(['template', '-once', ...ssl, '-consul-ssl-cert', pkis.pki.cliCert, '-consul-ssl-key', pkis.pki.cliKey, '-template', `${join(dir, 'in.tmpl')}:${out}`], {
    timeoutMs: 90_000,
  });
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(out, 'utf8'), 'hello over TLS\n');
  const noCert = await runCli(['template', '-once', ...ssl, '-consul-retry-attempts', '1', '-template', `${join(dir, 'in.tmpl')}:${join(dir, 'other.txt')}`], {
    timeoutMs: 90_000,
  });
  t.not(noCert.code, 0, 'without a client certificate the agent refuses it');

  // consul-template's config block does the same.
  const hcl = join(dir, 'ct.hcl');
  writeFileSync(
    hcl,
    `consul {\n  address = "127.0.0.1:${a.httpsPort}"\n  ssl {\n    enabled = true\n    ca_cert = "${pkis.pki.ca}"\n    cert = "${pkis.pki.cliCert}"\n    key = "${pkis.pki.cliKey}"\n  }\n}\ntemplate {\n  source = "${join(dir, 'in.tmpl')}"\n  destination = "${join(dir, 'from-config.txt')}"\n}\n`,
  );
  const fromConfig = await runCli(['template', '-once', '-config', hcl], { timeoutMs: 90_000 });
  t.is(fromConfig.code, 0, fromConfig.stderr);
  t.is(readFileSync(join(dir, 'from-config.txt'), 'utf8'), 'hello over TLS\n');
});
