import test from 'ava';
import { type IdentitySource, AclResolver, type ResolvedIdentity } from '../src/acl/resolver.js';
import { aclConfig } from '../src/config/acl-config.js';

const KV_APP = { ID: 'p1', ModifyIndex: 5, Rules: 'key_prefix "app/" { policy = "write" }' };

class FakeSource implements IdentitySource {
  calls = 0;
  down = false;
  identities = new Map<string, ResolvedIdentity>();
  async lookup(secret: string): Promise<ResolvedIdentity | null> {
    this.calls++;
    if (this.down) throw new Error('no server');
    return this.identities.get(secret) ?? null;
  }
}

function resolver(source: FakeSource, acl: Record<string, unknown>, clock: { now: number }, cache = true) {
  return new AclResolver({ config: aclConfig({ acl: { enabled: true, ...acl } }, 'dc1'), nodeName: 'n1', source, cache, now: () => clock.now });
}

test('a client caches identities for token_ttl, then asks again', async (t) => {
  const source = new FakeSource();
  source.identities.set('s1', { accessorId: 'a1', policies: [KV_APP] });
  const clock = { now: 1_000 };
  const r = resolver(source, { default_policy: 'deny', token_ttl: '30s' }, clock);
  t.true((await r.resolveToken('s1')).keyWrite('app/x'));
  await r.resolveToken('s1');
  t.is(source.calls, 1);
  clock.now += 31_000;
  await r.resolveToken('s1');
  t.is(source.calls, 2);
  await t.throwsAsync(r.resolveToken('nope'), { message: 'ACL not found' });
});

test('down_policy: extend-cache keeps a cached identity, allow and deny decide without one', async (t) => {
  const clock = { now: 0 };
  for (const [policy, cachedWrite, uncachedRead] of [
    ['extend-cache', true, false],
    ['async-cache', true, false],
    ['allow', true, true],
    ['deny', false, false],
  ] as const) {
    const source = new FakeSource();
    source.identities.set('s1', { accessorId: 'a1', policies: [KV_APP] });
    const r = resolver(source, { default_policy: 'deny', down_policy: policy, token_ttl: '1s' }, clock);
    await r.resolveToken('s1');
    source.down = true;
    clock.now += 2_000;
    t.is((await r.resolveToken('s1')).keyWrite('app/x'), cachedWrite, `${policy}: cached token`);
    t.is((await r.resolveToken('s2')).keyRead('other'), uncachedRead, `${policy}: token never seen`);
    t.false((await r.resolveToken('s2')).aclWrite(), `${policy}: never ACL management`);
  }
});

test('expired tokens are not found; the recovery token grants agent write here and node read', async (t) => {
  const source = new FakeSource();
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  source.identities.set('old', { accessorId: 'a', policies: [KV_APP], expirationTime: '2025-12-31T23:59:59Z' });
  const r = resolver(source, { default_policy: 'deny', tokens: { agent_recovery: 'rec' } }, clock, false);
  await t.throwsAsync(r.resolveToken('old'), { message: 'ACL not found' });
  const rec = await r.resolveToken('rec');
  t.true(rec.agentWrite('n1'));
  t.false(rec.agentWrite('n2'));
  t.true(rec.nodeRead('anything'));
  t.false(rec.keyRead('k'));
});

test('a tokenless request is the default token, else anonymous (the default policy alone until the leader stores it)', async (t) => {
  const source = new FakeSource();
  source.identities.set('d', { accessorId: 'a', policies: [KV_APP] });
  const r = resolver(source, { default_policy: 'allow' }, { now: 0 }, false);
  t.true((await r.resolveToken(undefined)).keyRead('x'), 'anonymous under default allow');
  t.false((await r.resolveToken(undefined)).aclRead());
  r.tokens.default = 'd';
  t.true((await r.resolveToken(undefined)).keyWrite('app/1'));
});

test('the acl block and the legacy keys Consul still reads', (t) => {
  const legacy = aclConfig(
    {
      acl_datacenter: 'dc1',
      acl_default_policy: 'deny',
      acl_down_policy: 'allow',
      acl_ttl: '10s',
      acl_master_token: 'm',
      acl_agent_master_token: 'r',
      acl_agent_token: 'ag',
      acl_token: 'df',
      acl_replication_token: 'rp',
    },
    'dc2',
  );
  t.deepEqual(
    { ...legacy, tokens: { ...legacy.tokens } },
    {
      enabled: true,
      primaryDatacenter: 'dc1',
      defaultPolicy: 'deny',
      downPolicy: 'allow',
      tokenTtlMs: 10_000,
      policyTtlMs: 30_000,
      roleTtlMs: 30_000,
      enableKeyListPolicy: false,
      enableTokenPersistence: false,
      enableTokenReplication: true,
      tokens: { initialManagement: 'm', agentRecovery: 'r', agent: 'ag', default: 'df', replication: 'rp' },
    },
  );
  const block = aclConfig({ acl: { enabled: true, tokens: { master: 'm', agent_master: 'r', initial_management: 'im' } } }, 'dc1');
  t.is(block.tokens.agentRecovery, 'r');
  t.false(aclConfig({ acl_default_policy: 'deny' }, 'dc1').enabled, 'as in Consul, only acl_datacenter turns ACLs on');
  t.throws(() => aclConfig({ acl: { down_policy: 'maybe' } }, 'dc1'), { message: /acl\.down_policy: invalid value "maybe"/ });
  t.throws(() => aclConfig({ acl: { tokens: { bogus: 'x' } } }, 'dc1'), { message: 'acl.tokens: invalid config key bogus' });
  t.throws(() => aclConfig({ acl: { token_ttl: 'soon' } }, 'dc1'), { message: /acl\.token_ttl: invalid duration/ });
});

class VersionedSource extends FakeSource {
  v = 1;
  version(): number {
    return this.v;
  }
}

test('a server reuses a resolution while its ACL tables are unchanged, and sees any change at once', async (t) => {
  const source = new VersionedSource();
  source.identities.set('s1', { accessorId: 'a1', policies: [KV_APP] });
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const r = resolver(source, { default_policy: 'deny' }, clock, false);
  t.true((await r.resolveToken('s1')).keyWrite('app/x'));
  await r.resolveToken('s1');
  await r.resolveToken('s1');
  t.is(source.calls, 1, 'one lookup while the tables stay at one index');
  // The policy is narrowed: the tables' index moves, and the next resolution reads it.
  source.identities.set('s1', { accessorId: 'a1', policies: [{ ID: 'p1', ModifyIndex: 6, Rules: 'key_prefix "app/" { policy = "read" }' }] });
  source.v = 2;
  const narrowed = await r.resolveToken('s1');
  t.is(source.calls, 2);
  t.false(narrowed.keyWrite('app/x'));
  t.true(narrowed.keyRead('app/x'));
  // A token that expires stops resolving at its expiry, with nothing else changed.
  source.identities.set('short', { accessorId: 'a2', policies: [KV_APP], expirationTime: '2026-01-01T00:01:00Z' });
  source.v = 3;
  t.true((await r.resolveToken('short')).keyWrite('app/x'));
  clock.now += 61_000;
  await t.throwsAsync(r.resolveToken('short'), { message: 'ACL not found' });
  // Unknown secrets are never kept.
  await t.throwsAsync(r.resolveToken('nope'), { message: 'ACL not found' });
  await t.throwsAsync(r.resolveToken('nope'), { message: 'ACL not found' });
  t.is(source.calls, 6);
});
