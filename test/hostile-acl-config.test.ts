/**
 * Finding 3 of the hostile-input review: `acl { enabled = true, default_policy = "deny" }` was
 * silently ignored, so an operator who asked for ACLs ran an open cluster. Until ACLs are
 * enforced, asking for them refuses to start with one line that says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli, startAgent } from '@concord/testkit';

const configs: [string, string, string][] = [
  ['an HCL acl block', 'acl.hcl', 'acl {\n  enabled = true\n  default_policy = "deny"\n}\n'],
  ['a JSON acl block', 'acl.json', JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'x' } } })],
  ['the legacy acl_datacenter key', 'legacy.json', JSON.stringify({ acl_datacenter: 'dc1' })],
  ['the legacy acl_default_policy = deny', 'legacy.hcl', 'acl_default_policy = "deny"\n'],
  ['a legacy acl_master_token', 'token.json', JSON.stringify({ acl_master_token: 'root' })],
];

for (const [what, name, body] of configs) {
  test(`${what} refuses to start with a message saying ACLs are not supported yet`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, name), body);
    const r = await runCli(['agent', '-dev', '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-config-file', join(dir, name)], {
      timeoutMs: 90_000,
    });
    t.is(r.code, 1, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr);
    t.regex(lines[0]!, /ACLs are not supported yet/);
    t.notRegex(r.stdout, /Client Addr/, 'nothing was served');
  });
}

test('an acl block with enabled = false, or legacy keys that ask for nothing, still start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'off.json'), JSON.stringify({ acl: { enabled: false, default_policy: 'deny' }, acl_default_policy: 'allow' }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'off.json')] });
  t.is((await fetch(`${a.base}/v1/status/leader`)).status, 200);
});
