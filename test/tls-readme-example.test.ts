/**
 * The README's TLS section as an operator follows it: certificates from `concord tls`, the HCL
 * block as printed (its paths and port filled in), an HTTPS-only server, the CLI with the CLI
 * certificate; and the mistakes an operator makes on the way, each answered in one line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runCli } from '@concord/testkit';
import { ROOT } from './_agent.js';
import { until } from './_process-cluster.js';
import { pkisForFile, spawnServerWithConfig } from './_tls.js';

const pkis = pkisForFile(test);

/** The first ```hcl block of the README's TLS section. */
function readmeTlsHcl(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## TLS'));
  const m = /```hcl\n([\s\S]*?)```/.exec(section);
  if (!m?.[1]) throw new Error('no hcl block in the README TLS section');
  return m[1];
}

async function startFromHcl(t: ExecutionContext, hcl: string): Promise<{ httpsPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-readme-tls-'));
  const file = join(dir, 'agent.hcl');
  writeFileSync(file, hcl);
  const a = await spawnServerWithConfig(t, dir, file);
  t.is(a.httpPort, -1, 'no plain HTTP listener');
  return { httpsPort: a.httpsPort };
}

test('the README TLS block starts an HTTPS-only server; the CLI reaches it with the CLI certificate, and mistakes read as one line each', async (t) => {
  t.timeout(120_000);
  const { pki, rogue } = pkis;
  const hcl = readmeTlsHcl()
    .replaceAll('/etc/concord/', `${pki.dir}/`)
    .replace(/https\s*=\s*8501/, 'https = 0');
  t.not(hcl, readmeTlsHcl(), 'the block names /etc/concord/ and port 8501');
  const { httpsPort } = await startFromHcl(t, hcl);
  const addr = `https://127.0.0.1:${httpsPort}`;
  const good = ['-http-addr', addr, '-ca-file', pki.ca, '-client-cert', pki.cliCert, '-client-key', pki.cliKey];
  await until(async () => (await runCli(['kv', 'put', ...good, 'readme/k', 'v'])).code === 0 || undefined, 30_000, 'a write over HTTPS');
  const got = await runCli(['kv', 'get', ...good, 'readme/k']);
  t.is(got.stdout, 'v\n', got.stderr);

  const oneLine = (r: { code: number | null; stderr: string }, what: string, reason: RegExp): void => {
    t.is(r.code, 1, what);
    t.is(r.stderr.split('\n').filter(Boolean).length, 1, `${what}: ${r.stderr}`);
    t.regex(r.stderr, reason, what);
    t.notRegex(r.stderr, /error:[0-9A-F]{8}|\.c:\d+|deps\/openssl/, `${what}: no OpenSSL codes or source files`);
  };
  oneLine(await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', pki.ca, 'readme/k']), 'no client certificate', /: remote error: tls: certificate required$/m);
  oneLine(
    await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', rogue.ca, '-client-cert', pki.cliCert, '-client-key', pki.cliKey, 'readme/k']),
    'a CA that did not sign the server certificate',
    /certificate/,
  );
  oneLine(
    await runCli(['kv', 'get', '-http-addr', addr, '-ca-file', pki.ca, '-client-cert', pki.cliCert, '-client-key', pki.clientKey, 'readme/k']),
    "a client key that is not the certificate's",
    /key values mismatch/,
  );
  oneLine(
    await runCli(['kv', 'get', '-http-addr', `127.0.0.1:${httpsPort}`, 'readme/k']),
    'plain HTTP to the HTTPS port',
    /Unexpected response code: 400 \(Client sent an HTTP request to an HTTPS server\.\)/,
  );
  const plain = await fetch(`http://127.0.0.1:${httpsPort}/v1/status/leader`);
  t.is(plain.status, 400);
  t.is(await plain.text(), 'Client sent an HTTP request to an HTTPS server.\n');
  t.regex(plain.headers.get('content-type') ?? '', /^text\/plain/);
  t.is((await runCli(['kv', 'get', ...good, 'readme/k'])).stdout, 'v\n', 'the agent still serves HTTPS');
});

test('a config file that is neither JSON nor HCL stops the agent with one line naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-badcfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'agent.conf');
  writeFileSync(file, 'datacenter = "dc1"\nserver = true\n');
  const r = await runCli(['agent', '-dev', '-http-port', '0', '-dns-port', '-1', '-config-file', file], { timeoutMs: 60_000 });
  t.is(r.code, 1);
  const lines = (r.stdout + r.stderr).split('\n').filter(Boolean);
  t.is(lines.length, 1, r.stdout + r.stderr);
  t.regex(lines[0] ?? '', /Error parsing .*agent\.conf: /);
});

test('concord tls mistakes are answered in one line: -days past the year 9999, a CA and key the wrong way round', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-tls-mistakes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { pki } = pkis;
  const cases: [string, string[], RegExp][] = [
    ['a CA valid past the year 9999', ['tls', 'ca', 'create', '-days', '99999999'], /^-days 99999999 ends after the year 9999/],
    [
      'a certificate valid past the year 9999',
      ['tls', 'cert', 'create', '-server', '-ca', pki.ca, '-key', pki.caKey, '-days', '99999999'],
      /^-days 99999999 ends after the year 9999/,
    ],
    ['-ca and -key swapped', ['tls', 'cert', 'create', '-client', '-ca', pki.caKey, '-key', pki.ca], /^Error parsing CA: not a PEM certificate/],
    ['a certificate as the CA key', ['tls', 'cert', 'create', '-client', '-ca', pki.ca, '-key', pki.ca], /^Error parsing CA key: not a PEM private key/],
  ];
  for (const [what, args, reason] of cases) {
    const r = await runCli(args, { cwd: dir, timeoutMs: 90_000 });
    t.is(r.code, 1, what);
    t.is(r.stderr.split('\n').filter(Boolean).length, 1, `${what}: ${r.stderr}`);
    t.regex(r.stderr, reason, what);
  }
  const ok = await runCli(['tls', 'cert', 'create', '-client', '-ca', pki.ca, '-key', pki.caKey, '-days', '3650'], { cwd: dir, timeoutMs: 90_000 });
  t.is(ok.code, 0, ok.stderr);
});
