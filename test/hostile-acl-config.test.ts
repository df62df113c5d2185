/**
 * Finding 3 of the hostile-input review: an `acl` block that asked for ACLs was silently
 * ignored. ACLs are enforced now: every form that turns them on (the block, or Consul's legacy
 * `acl_datacenter`) starts an agent that refuses an anonymous write under default deny and says
 * so in `X-Consul-Default-ACL-Policy`; the legacy keys that do not turn ACLs on in Consul do not
 * here either, and the header says `allow`, which is what is enforced.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startAgent } from '@concord/testkit';

const enforced: [string, string, string][] = [
  ['an HCL acl block', 'acl.hcl', 'acl {\n  enabled = true\n  default_policy = "deny"\n}\n'],
  ['a JSON acl block', 'acl.json', JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'x' } } })],
  ['the legacy acl_datacenter key', 'legacy.json', JSON.stringify({ acl_datacenter: 'dc1', acl_default_policy: 'deny' })],
];

for (const [what, name, body] of enforced) {
  test(`${what} starts an agent that enforces default deny`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, name), body);
    const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, name)] });
    const put = await fetch(`${a.base}/v1/kv/secret`, { method: 'PUT', body: 'x' });
    t.is(put.status, 403);
    t.is(await put.text(), `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'key:write' on "secret"`);
    t.is(put.headers.get('x-consul-default-acl-policy'), 'deny');
    const unknown = await fetch(`${a.base}/v1/kv/secret`, { headers: { 'X-Consul-Token': 'no-such-token' } });
    t.is(unknown.status, 403);
    t.is(await unknown.text(), 'ACL not found');
  });
}

test('legacy keys that do not turn ACLs on in Consul leave them off here, and the header says allow', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'legacy.json'), JSON.stringify({ acl_default_policy: 'deny', acl_master_token: 'root' }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'legacy.json')] });
  const put = await fetch(`${a.base}/v1/kv/open`, { method: 'PUT', body: 'x' });
  t.is(put.status, 200);
  t.is(put.headers.get('x-consul-default-acl-policy'), 'allow');
});

test('an acl block with enabled = false, or legacy keys that ask for nothing, still start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'off.json'), JSON.stringify({ acl: { enabled: false, default_policy: 'deny' }, acl_default_policy: 'allow' }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'off.json')] });
  t.is((await fetch(`${a.base}/v1/status/leader`)).status, 200);
});

test('a bad acl setting refuses to start with one line naming it', async (t) => {
  const { runCli } = await import('@concord/testkit');
  const dir = mkdtempSync(join(tmpdir(), 'concord-acl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'maybe' } }));
  const r = await runCli(['agent', '-dev', '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-config-file', join(dir, 'bad.json')], {
    timeoutMs: 90_000,
  });
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr.trim(), /acl\.default_policy: invalid value "maybe"/);
});
