import { type AclToken, StateStore } from '@concord/state';
import test from 'ava';
import { Authorizer } from '../src/acl/authorizer.js';
import type { ResolvedIdentity } from '../src/acl/resolver.js';
import { checkCall } from '../src/acl/rpc-enforcement.js';
import { mergeRules, parseRules } from '../src/acl/rules.js';
import { SecondaryIdentitySource } from '../src/acl/secondary-identity.js';

const token = (accessor: string, secret: string, policies: string[]): AclToken => ({
  AccessorID: accessor,
  SecretID: secret,
  Description: '',
  Policies: policies.map((ID) => ({ ID, Name: '' })),
  Roles: [],
  Local: false,
  CreateTime: '',
  Hash: 'h',
  CreateIndex: 0,
  ModifyIndex: 0,
});

/** A primary that answers every secret with one identity and counts the questions. */
function primary(answer: ResolvedIdentity | null) {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (secret: string) => {
      asked.push(secret);
      return answer;
    },
  };
}

const FROM_PRIMARY: ResolvedIdentity = { accessorId: 'remote', policies: [] };

test('with token replication on, the replicated copy answers and an unknown token is unknown, without asking the primary', async (t) => {
  const state = new StateStore({ datacenter: 'dc2' });
  state.apply(1, {
    type: 'acl-replicate',
    table: 'policies',
    upserts: [{ ID: 'p1', Name: 'app', Description: '', Rules: 'key "a" { policy = "read" }', Datacenters: [], Hash: 'h', CreateIndex: 0, ModifyIndex: 0 }],
    deletes: [],
  });
  state.apply(2, { type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's1', ['p1'])], deletes: [] });
  const p = primary(FROM_PRIMARY);
  const src = new SecondaryIdentitySource({ datacenter: 'dc2', state: () => state, primary: p, tokensReplicated: () => true });
  const id = await src.lookup('s1');
  t.is(id?.accessorId, 'a1');
  t.deepEqual(
    id?.policies.map((x) => x.Rules),
    ['key "a" { policy = "read" }'],
  );
  t.is(await src.lookup('unknown'), null);
  t.deepEqual(p.asked, []);
  t.is(src.version(), state.aclIndex(), 'resolutions are kept while the replicated tables are unchanged');
});

test('before anything was replicated, or with token replication off, the primary answers', async (t) => {
  const empty = new StateStore({ datacenter: 'dc2' });
  const p = primary(FROM_PRIMARY);
  const before = new SecondaryIdentitySource({ datacenter: 'dc2', state: () => empty, primary: p, tokensReplicated: () => true });
  t.is((await before.lookup('s1'))?.accessorId, 'remote', 'nothing replicated yet');

  const tokensOnly = new StateStore({ datacenter: 'dc2' });
  tokensOnly.apply(1, { type: 'acl-replicate', table: 'tokens', upserts: [token('a1', 's1', ['p1'])], deletes: [] });
  const noPolicies = new SecondaryIdentitySource({ datacenter: 'dc2', state: () => tokensOnly, primary: p, tokensReplicated: () => true });
  t.is((await noPolicies.lookup('s1'))?.accessorId, 'remote', 'a local copy whose policies never arrived is not trusted');

  const off = new SecondaryIdentitySource({ datacenter: 'dc2', state: () => tokensOnly, primary: p, tokensReplicated: () => false });
  t.is((await off.lookup('s1'))?.accessorId, 'remote', 'token replication off: the primary answers every token');
  t.deepEqual(p.asked, ['s1', 's1', 's1']);
  t.is(noPolicies.version(), undefined, 'no resolution is kept while the primary may answer');
  t.is(off.version(), undefined);
});

test('replication reads of tokens need acl write on the replication token, as Consul’s unredacted reads', async (t) => {
  const token = async (rules: string) => Authorizer.fromRules(mergeRules([await parseRules(rules)]), 'deny');
  const state = new StateStore({ datacenter: 'dc1' });
  const reader = await token('acl = "read"');
  const writer = await token('acl = "write"');
  t.notThrows(() => checkCall('ACL.Read', { kind: 'policies' }, reader, state, false));
  t.throws(() => checkCall('ACL.Read', { kind: 'global-tokens' }, reader, state, false), { message: "Permission denied: provided token lacks permission 'acl:write'" });
  t.notThrows(() => checkCall('ACL.Read', { kind: 'global-tokens' }, writer, state, false));
});
