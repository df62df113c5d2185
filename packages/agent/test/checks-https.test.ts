import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { putOk, startTestAgent, tempDir, waitForStatus } from './_local-helpers.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

(hasOpenssl ? test : test.skip)('an HTTPS check needs TLSSkipVerify for a self-signed certificate', async (t) => {
  const dir = tempDir(t);
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  t.is(made.status, 0);
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('secure'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'tls',
    Checks: [
      { CheckID: 'skip', HTTP: url, Interval: '200ms', TLSSkipVerify: true },
      { CheckID: 'verify', HTTP: url, Interval: '200ms', Status: 'passing' },
    ],
  });
  const skip = await waitForStatus(base, 'tls', 'skip', 'passing', 1500);
  t.is(skip?.Output, `HTTP GET ${url}: 200 OK Output: secure`);
  const verify = await waitForStatus(base, 'tls', 'verify', 'critical', 1500);
  t.regex(verify?.Output ?? '', /self[- ]signed/i);
});
