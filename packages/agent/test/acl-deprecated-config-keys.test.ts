import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { aclConfig } from '../src/config/acl-config.js';
import { resolveAgentConfig } from '../src/config/config.js';

test('primary_datacenter defaults to the agent’s own datacenter, is lower-cased and checked as Consul checks it', (t) => {
  t.is(aclConfig({}, 'dc7').primaryDatacenter, 'dc7');
  t.is(aclConfig({ primary_datacenter: 'DC1' }, 'dc7').primaryDatacenter, 'dc1');
  t.throws(() => aclConfig({ primary_datacenter: '%' }, 'dc1'), { message: 'primary_datacenter can only contain lowercase alphanumeric, - or _ characters.' });
});

test('acl_datacenter is primary_datacenter when that is unset, and always turns ACLs on', (t) => {
  t.like(aclConfig({ acl_datacenter: 'dc1' }, 'dc2'), { enabled: true, primaryDatacenter: 'dc1' });
  t.like(aclConfig({ acl_datacenter: 'dc1', primary_datacenter: 'dc3' }, 'dc2'), { primaryDatacenter: 'dc3' }, 'the new key wins');
  t.true(aclConfig({ acl_datacenter: 'dc1', acl: { enabled: false } }, 'dc2').enabled, 'as in Consul, even over acl.enabled = false');
  t.false(aclConfig({ acl_default_policy: 'deny' }, 'dc1').enabled);
});

test('each deprecated key applies only where its new key is unset', (t) => {
  const legacy = {
    acl_default_policy: 'deny',
    acl_down_policy: 'deny',
    acl_ttl: '45s',
    acl_enable_key_list_policy: true,
    acl_master_token: 'legacy-master',
    acl_agent_master_token: 'legacy-recovery',
    acl_agent_token: 'legacy-agent',
    acl_token: 'legacy-default',
  };
  const alone = aclConfig(legacy, 'dc1');
  t.like(alone, { defaultPolicy: 'deny', downPolicy: 'deny', tokenTtlMs: 45_000, enableKeyListPolicy: true });
  t.deepEqual(alone.tokens, { initialManagement: 'legacy-master', agentRecovery: 'legacy-recovery', agent: 'legacy-agent', default: 'legacy-default' });
  const both = aclConfig(
    {
      ...legacy,
      acl: {
        default_policy: 'allow',
        down_policy: 'async-cache',
        token_ttl: '5s',
        enable_key_list_policy: false,
        tokens: { initial_management: 'new-im', agent_recovery: 'new-rec', agent: 'new-agent', default: 'new-default' },
      },
    },
    'dc1',
  );
  t.like(both, { defaultPolicy: 'allow', downPolicy: 'async-cache', tokenTtlMs: 5_000, enableKeyListPolicy: false });
  t.deepEqual(both.tokens, { initialManagement: 'new-im', agentRecovery: 'new-rec', agent: 'new-agent', default: 'new-default' });
  // Inside the block: tokens.master and tokens.agent_master yield to the new names, in any order.
  t.deepEqual(aclConfig({ acl: { tokens: { initial_management: 'im', master: 'm', agent_recovery: 'r', agent_master: 'am' } } }, 'dc1').tokens, {
    initialManagement: 'im',
    agentRecovery: 'r',
  });
});

test('token replication: acl.enable_token_replication, else enable_acl_replication; acl_replication_token always turns it on', (t) => {
  t.false(aclConfig({}, 'dc1').enableTokenReplication);
  t.true(aclConfig({ enable_acl_replication: true }, 'dc1').enableTokenReplication);
  t.false(aclConfig({ enable_acl_replication: true, acl: { enable_token_replication: false } }, 'dc1').enableTokenReplication, 'the new key wins');
  const viaToken = aclConfig({ acl_replication_token: 'rt', acl: { enable_token_replication: false } }, 'dc1');
  t.true(viaToken.enableTokenReplication, 'as in Consul, acl_replication_token turns it on whatever the new key says');
  t.is(viaToken.tokens.replication, 'rt');
  t.is(aclConfig({ acl_replication_token: 'rt', acl: { tokens: { replication: 'new' } } }, 'dc1').tokens.replication, 'new');
  t.throws(() => aclConfig({ enable_acl_replication: 'yes' }, 'dc1'), { message: /enable_acl_replication/ });
});

test('the agent configuration takes the deprecated keys from a config file and reports the primary datacenter', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-acl-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'legacy.json');
  writeFileSync(file, JSON.stringify({ acl_datacenter: 'dc1', acl_default_policy: 'deny', acl_replication_token: 'r', acl_enable_key_list_policy: true }));
  const config = resolveAgentConfig(['-dev', '-datacenter', 'dc2', '-config-file', file]);
  t.like(config.acl, { enabled: true, primaryDatacenter: 'dc1', defaultPolicy: 'deny', enableTokenReplication: true, enableKeyListPolicy: true });
  t.is(resolveAgentConfig(['-dev']).acl.primaryDatacenter, 'dc1');
});
