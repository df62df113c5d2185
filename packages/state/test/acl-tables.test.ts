import test from 'ava';
import type { AclPolicy, AclToken } from '../src/index.js';
import { GLOBAL_MANAGEMENT_POLICY_ID, StateStore } from '../src/index.js';
import { aclPolicy, aclToken } from './_acl-fixtures.js';
import { Harness } from './_helpers.js';

const policy = (id: string, name: string, rules = ''): AclPolicy => aclPolicy(id, name, { Rules: rules });
const token = (accessor: string, secret: string, policies: string[] = []): AclToken => aclToken(accessor, secret, policies);

test('tokens link policies by ID and read back with their current names; deleted links drop out', (t) => {
  const h = new Harness();
  t.falsy(h.apply({ type: 'acl-policy-set', op: 'create', policy: policy('p1', 'kv-read') }).error);
  t.falsy(h.apply({ type: 'acl-token-set', op: 'create', token: token('a1', 's1', ['p1']) }).error);
  t.deepEqual(h.store.aclTokenBySecret('s1').value?.Policies, [{ ID: 'p1', Name: 'kv-read' }]);
  h.apply({ type: 'acl-policy-set', op: 'update', policy: policy('p1', 'kv-renamed') });
  t.deepEqual(h.store.aclToken('a1').value?.Policies, [{ ID: 'p1', Name: 'kv-renamed' }]);
  const before = h.store.aclTokens().index;
  h.apply({ type: 'acl-policy-delete', id: 'p1' });
  t.deepEqual(h.store.aclToken('a1').value?.Policies, []);
  t.is(h.store.aclTokens({ policy: 'p1' }).value.length, 1, 'the stored link is kept, as Consul keeps it');
  t.is(h.store.aclTokens().index, before, 'a policy delete does not move the token index');
});

test('integrity: unique names and secrets, existing links, protected built-ins', (t) => {
  const h = new Harness();
  h.apply({ type: 'acl-init', policies: [policy(GLOBAL_MANAGEMENT_POLICY_ID, 'global-management', 'acl = "write"')], tokens: [] });
  h.apply({ type: 'acl-policy-set', op: 'create', policy: policy('p1', 'a') });
  t.regex(h.apply({ type: 'acl-policy-set', op: 'create', policy: policy('p2', 'a') }).error?.message ?? '', /A Policy with Name "a" already exists/);
  t.regex(h.apply({ type: 'acl-token-set', op: 'create', token: token('a1', 's1', ['nope']) }).error?.message ?? '', /No such ACL policy with ID "nope"/);
  h.apply({ type: 'acl-token-set', op: 'create', token: token('a1', 's1') });
  t.regex(h.apply({ type: 'acl-token-set', op: 'create', token: token('a2', 's1') }).error?.message ?? '', /SecretID is already in use/);
  t.regex(h.apply({ type: 'acl-token-set', op: 'update', token: token('a1', 's9') }).error?.message ?? '', /Changing a tokens SecretID is not permitted/);
  t.regex(h.apply({ type: 'acl-policy-delete', id: GLOBAL_MANAGEMENT_POLICY_ID }).error?.message ?? '', /not permitted on the builtin global-management policy/);
  t.regex(
    h.apply({ type: 'acl-policy-set', op: 'update', policy: policy(GLOBAL_MANAGEMENT_POLICY_ID, 'global-management', 'key "" {}') }).error?.message ?? '',
    /Changing the Rules/,
  );
  t.is(h.store.aclTokens().value.length, 1);
});

test('bootstrap happens once; a matching reset index allows it again', (t) => {
  const h = new Harness();
  h.apply({ type: 'acl-init', policies: [policy(GLOBAL_MANAGEMENT_POLICY_ID, 'global-management')], tokens: [] });
  t.falsy(h.apply({ type: 'acl-bootstrap', token: token('b1', 'bs1', [GLOBAL_MANAGEMENT_POLICY_ID]) }).error);
  const at = h.index;
  t.is(h.store.aclBootstrapIndex(), at);
  const again = h.apply({ type: 'acl-bootstrap', token: token('b2', 'bs2', [GLOBAL_MANAGEMENT_POLICY_ID]) });
  t.is(again.error?.code, 'STATE_ACL_BOOTSTRAP_DONE');
  t.is(again.error?.message, `ACL bootstrap no longer allowed (reset index: ${at})`);
  t.truthy(h.apply({ type: 'acl-bootstrap', token: token('b2', 'bs2'), resetIndex: at - 1 }).error);
  t.falsy(h.apply({ type: 'acl-bootstrap', token: token('b3', 'bs3'), resetIndex: at }).error);
  t.is(h.store.aclBootstrapIndex(), h.index);
});

test('acl-init stores only what is missing; the tables survive snapshot and restore', (t) => {
  const h = new Harness();
  t.is(h.apply({ type: 'acl-init', policies: [policy('p0', 'x')], tokens: [token('anon', 'anonymous')] }).value, 2);
  t.is(h.apply({ type: 'acl-init', policies: [policy('p0', 'y')], tokens: [token('anon', 'anonymous')] }).value, 0);
  h.apply({ type: 'acl-role-set', op: 'create', role: { ID: 'r1', Name: 'ops', Description: '', Policies: [{ ID: 'p0', Name: '' }], Hash: '', CreateIndex: 0, ModifyIndex: 0 } });
  h.apply({ type: 'acl-bootstrap', token: token('b1', 'bs1', ['p0']) });
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restore(JSON.parse(h.store.snapshotJson()));
  t.deepEqual(copy.aclTokens().value, h.store.aclTokens().value);
  t.deepEqual(copy.aclRoleByName('ops').value?.Policies, [{ ID: 'p0', Name: 'x' }]);
  t.is(copy.aclBootstrapIndex(), h.store.aclBootstrapIndex());
  t.is(copy.aclTokenBySecret('bs1').value?.AccessorID, 'b1');
});

test('ACL writes wake watchers of their table', (t) => {
  const h = new Harness();
  let woke = 0;
  h.store.watch(h.store.aclPolicies().topics, () => woke++);
  h.apply({ type: 'acl-policy-set', op: 'create', policy: policy('p1', 'a') });
  t.is(woke, 1);
  t.true(h.store.aclPolicies().index === h.index);
});
