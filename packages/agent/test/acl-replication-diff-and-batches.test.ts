import type { AclPolicy, AclToken } from '@concord/state';
import test from 'ava';
import { DELETE_BATCH, deleteBatches, diffAcl, upsertBatches } from '../src/acl/replication-diff.js';
import { POLICY_KIND, TOKEN_KIND } from '../src/acl/replicator.js';
import { AclReplicationStatus, statusTime } from '../src/acl/replication-status.js';
import { ZERO_REPLICATION_STATUS, aclPolicy, aclToken } from './_acl-fixtures.js';

const policy = (id: string, modifyIndex: number, over: Partial<AclPolicy> = {}): AclPolicy => aclPolicy(id, { CreateIndex: 1, ModifyIndex: modifyIndex, ...over });
const token = (id: string, modifyIndex: number, over: Partial<AclToken> = {}): AclToken => aclToken(id, { CreateIndex: 1, ModifyIndex: modifyIndex, ...over });

test('the diff deletes what the primary no longer has and upserts what is missing or changed, in ID order', (t) => {
  const local = [policy('c', 3), policy('a', 2), policy('d', 4)];
  const remote = [policy('b', 9), policy('a', 2), policy('c', 12, { Rules: 'key "x" { policy = "read" }', Hash: 'h-c2' }), policy('e', 13)];
  const diff = diffAcl(local, remote, 0, POLICY_KIND);
  t.deepEqual(diff.deletes, ['d']);
  t.deepEqual(
    diff.upserts.map((p) => p.ID),
    ['b', 'c', 'e'],
  );
});

test('an entry in both is upserted only when the primary changed it after the last replicated index and the copy differs', (t) => {
  const local = [policy('a', 5, { Description: 'old' })];
  t.deepEqual(diffAcl(local, [policy('a', 10, { Description: 'new' })], 10, POLICY_KIND).upserts, [], 'not changed since index 10');
  t.is(diffAcl(local, [policy('a', 11, { Description: 'new' })], 10, POLICY_KIND).upserts.length, 1, 'changed after it');
  t.deepEqual(diffAcl(local, [policy('a', 11, { Description: 'old' })], 10, POLICY_KIND).upserts, [], 'the same content is not written again');
  // A full diff (index 0) catches every difference, a description included.
  t.is(diffAcl(local, [policy('a', 3, { Description: 'new' })], 0, POLICY_KIND).upserts.length, 1);
});

test('tokens compare by secret, links, expiry and hash; entries without an ID are skipped', (t) => {
  const base = token('t1', 4, { Policies: [{ ID: 'p1', Name: 'x' }] });
  t.deepEqual(diffAcl([base], [token('t1', 4, { Policies: [{ ID: 'p1', Name: 'renamed' }] })], 0, TOKEN_KIND).upserts, [], 'a link is its ID');
  t.is(diffAcl([base], [token('t1', 4, { Policies: [{ ID: 'p2', Name: 'x' }] })], 0, TOKEN_KIND).upserts.length, 1);
  t.is(diffAcl([base], [token('t1', 4, { Policies: base.Policies, ExpirationTime: '2030-01-01T00:00:00Z' })], 0, TOKEN_KIND).upserts.length, 1);
  const diff = diffAcl([token('', 1), base], [token('', 2), token('t0', 2)], 0, TOKEN_KIND);
  t.deepEqual(diff.deletes, ['t1']);
  t.deepEqual(
    diff.upserts.map((x) => x.AccessorID),
    ['t0'],
  );
});

test('deletes go in batches of 4096 and upserts in batches bounded by size and count', (t) => {
  const ids = Array.from({ length: DELETE_BATCH * 2 + 5 }, (_, i) => `id-${i}`);
  t.deepEqual(
    deleteBatches(ids).map((b) => b.length),
    [4096, 4096, 5],
  );
  t.deepEqual(deleteBatches([]), []);
  const big = 'x'.repeat(100 * 1024);
  const items = [policy('a', 1, { Rules: big }), policy('b', 1, { Rules: big }), policy('c', 1, { Rules: big }), policy('d', 1)];
  t.deepEqual(
    upsertBatches(items).map((b) => b.map((p) => p.ID)),
    [['a', 'b', 'c'], ['d']],
    'a batch closes once it reaches 256 KiB',
  );
  t.deepEqual(
    upsertBatches([policy('huge', 1, { Rules: 'y'.repeat(400 * 1024) }), policy('z', 1)]).map((b) => b.length),
    [1, 1],
    'an entry larger than a batch travels alone',
  );
  t.is(upsertBatches(Array.from({ length: 2500 }, (_, i) => policy(`p${i}`, 1))).length, 3, 'at most 1024 entries a batch');
});

test('the replication status keeps Consul’s fields: zero times, roles with policies, errors kept after a success', (t) => {
  let now = Date.parse('2026-12-07T20:00:00.400Z');
  const s = new AclReplicationStatus(() => now);
  t.deepEqual(s.view(), ZERO_REPLICATION_STATUS);
  s.started('dc1', false);
  t.like(s.view(), { Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'policies' });
  s.succeeded('policies', 10);
  s.succeeded('roles', 11);
  now += 1200;
  s.failed('failed to retrieve remote ACL policies: No path to datacenter');
  s.succeeded('tokens', 12);
  t.like(s.view(), {
    ReplicatedIndex: 10,
    ReplicatedRoleIndex: 11,
    ReplicatedTokenIndex: 12,
    LastSuccess: '2026-12-07T20:00:02Z',
    LastError: '2026-12-07T20:00:02Z',
    LastErrorMessage: 'failed to retrieve remote ACL policies: No path to datacenter',
  });
  s.stopped();
  t.false(s.view().Running);
  t.true(s.view().Enabled);
  t.is(statusTime(Date.parse('2026-01-02T03:04:05.600Z')), '2026-01-02T03:04:06Z');
});
