import test from 'ava';
import type { AclToken } from '../src/index.js';
import { ANONYMOUS_TOKEN_ID, GLOBAL_MANAGEMENT_POLICY_ID } from '../src/index.js';
import { aclPolicy, aclRole, aclToken } from './_acl-fixtures.js';
import { Harness } from './_helpers.js';

// As the primary sends them: with its own indexes (7, 9), which this datacenter replaces with its own.
const fromPrimary = { CreateIndex: 7, ModifyIndex: 9 };
const policy = (id: string, name: string) => aclPolicy(id, name, fromPrimary);
const role = (id: string, name: string, policies: string[]) => ({ ...aclRole(id, name, policies), ...fromPrimary });
const token = (accessor: string, secret: string, policies: string[], over: Partial<AclToken> = {}) => aclToken(accessor, secret, policies, { ...fromPrimary, ...over });

test('a replicated token may link a policy not replicated yet: the link is kept and named once the policy arrives', (t) => {
  const h = new Harness();
  const r = h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's1', ['p1'])], deletes: [] });
  t.falsy(r.error);
  t.deepEqual(h.store.aclToken('a1').value?.Policies, [], 'a link to a missing policy is not shown');
  h.apply({ type: 'acl-replicate', table: 'policies', upserts: [policy('p1', 'app')], deletes: [] });
  t.deepEqual(h.store.aclToken('a1').value?.Policies, [{ ID: 'p1', Name: 'app' }]);
  const rr = h.apply({ type: 'acl-replicate', table: 'roles', upserts: [role('r1', 'ops', ['p1', 'p-later'])], deletes: [] });
  t.falsy(rr.error);
  t.deepEqual(h.store.aclRole('r1').value?.Policies, [{ ID: 'p1', Name: 'app' }]);
});

test('a replication batch upserts as the primary has it and deletes what the primary no longer has', (t) => {
  const h = new Harness();
  h.apply({ type: 'acl-replicate', table: 'policies', upserts: [policy('p1', 'app'), policy('p2', 'web')], deletes: [] });
  h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's1', ['p1'], { ExpirationTime: '2030-01-01T00:00:00.000Z' })], deletes: [] });
  const stored = h.store.aclToken('a1').value;
  t.is(stored?.ExpirationTime, '2030-01-01T00:00:00.000Z');
  t.is(stored?.CreateTime, '2026-01-01T00:00:00Z', 'the primary creation time is kept');
  t.not(stored?.ModifyIndex, 9, 'indexes are this datacenter own');
  // An update replaces (a changed description and link) and the same batch deletes.
  const upd = h.apply({
    type: 'acl-replicate',
    table: 'tokens',
    upserts: [token('a1', 's1', ['p2'], { Description: 'changed', Hash: 'h2' })],
    deletes: ['missing-is-fine'],
  });
  t.falsy(upd.error);
  t.is(h.store.aclToken('a1').value?.Description, 'changed');
  t.deepEqual(h.store.aclToken('a1').value?.Policies, [{ ID: 'p2', Name: 'web' }]);
  h.apply({ type: 'acl-replicate', table: 'policies', upserts: [], deletes: ['p1'] });
  t.is(h.store.aclPolicy('p1').value, undefined);
  h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [], deletes: ['a1'] });
  t.is(h.store.aclTokenBySecret('s1').value, undefined);
});

test('a replication batch never deletes the built-ins, is bounded, and refuses a changed secret', (t) => {
  const h = new Harness();
  h.apply({ type: 'acl-replicate', table: 'policies', upserts: [policy(GLOBAL_MANAGEMENT_POLICY_ID, 'global-management')], deletes: [] });
  h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [token(ANONYMOUS_TOKEN_ID, 'anonymous', [])], deletes: [] });
  h.apply({ type: 'acl-replicate', table: 'policies', upserts: [], deletes: [GLOBAL_MANAGEMENT_POLICY_ID] });
  h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [], deletes: [ANONYMOUS_TOKEN_ID] });
  t.truthy(h.store.aclPolicy(GLOBAL_MANAGEMENT_POLICY_ID).value);
  t.truthy(h.store.aclToken(ANONYMOUS_TOKEN_ID).value);
  const tooMany = Array.from({ length: 5000 }, (_, i) => `id-${i}`);
  t.regex(h.apply({ type: 'acl-replicate', table: 'roles', upserts: [], deletes: tooMany }).error?.message ?? '', /at most 4096 entries/);
  h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's1', [])], deletes: [] });
  t.regex(h.apply({ type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's2', [])], deletes: [] }).error?.message ?? '', /SecretID is not permitted/);
});
