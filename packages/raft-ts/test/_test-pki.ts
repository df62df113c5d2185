/** A throwaway CA and certificates made with openssl, for the TLS transport tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TestPki {
  readonly ca: Buffer;
  /** Signed by `ca`, with `name` as its DNS name. */
  issue(name: string): TestCert;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
}

/** A new CA in a temp dir that `teardown` removes. */
export function makeTestPki(label: string, teardown: (fn: () => void) => void): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `raft-pki-${label}-`));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${label} CA`,
  ]);
  let n = 0;
  return {
    ca: readFileSync(join(dir, 'ca.pem')),
    issue(name) {
      const base = `leaf${n++}`;
      writeFileSync(join(dir, `${base}.ext`), `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth,clientAuth\n`);
      openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
      openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${base}.pem`, '-days', '2', '-extfile', `${base}.ext`]);
      return { cert: readFileSync(join(dir, `${base}.pem`)), key: readFileSync(join(dir, `${base}.key`)) };
    },
  };
}
