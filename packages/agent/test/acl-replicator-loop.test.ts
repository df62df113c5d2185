import { type AclReplicateCommand, type Command, StateStore } from '@concord/state';
import test from 'ava';
import pino from 'pino';
import { AclReplicationStatus } from '../src/acl/replication-status.js';
import { AclReplicator, type ReplicationQuery } from '../src/acl/replicator.js';
import { aclPolicy, aclToken } from './_acl-fixtures.js';

const policy = aclPolicy;
const token = aclToken;

/** A primary (a state store answering blocking reads) and a secondary leader replicating from it. */
class Fixture {
  readonly primary = new StateStore({ datacenter: 'dc1' });
  readonly local = new StateStore({ datacenter: 'dc2' });
  readonly status = new AclReplicationStatus();
  readonly applied: AclReplicateCommand[] = [];
  readonly fetched: { query: ReplicationQuery; minIndex: number; token: string; failed: boolean }[] = [];
  #pIndex = 0;
  #lIndex = 10;
  #wake: (() => void)[] = [];
  leader = true;
  fail: Error | undefined;
  replicator: AclReplicator;

  constructor(tokens = true) {
    this.replicator = new AclReplicator({
      primaryDatacenter: 'dc1',
      tokens,
      replicationToken: () => 'repl',
      isLeader: () => this.leader,
      state: () => this.local,
      fetch: (query, minIndex, tok, signal) => this.#fetch(query, minIndex, tok, signal),
      apply: async (command) => {
        this.applied.push(command);
        const r = this.local.apply(++this.#lIndex, command);
        if (r.error) throw r.error;
      },
      status: this.status,
      logger: pino({ level: 'silent' }),
      backoffUnitMs: 20,
      rate: { perSecond: 200, burst: 5 },
      applyLimit: 10_000,
    });
  }

  write(command: Command): void {
    const r = this.primary.apply(++this.#pIndex, command);
    if (r.error) throw r.error;
    for (const w of this.#wake.splice(0)) w();
  }

  async #fetch(query: ReplicationQuery, minIndex: number, tok: string, signal: AbortSignal): Promise<{ value: unknown; index: number }> {
    this.fetched.push({ query, minIndex, token: tok, failed: this.fail !== undefined });
    if (this.fail) throw this.fail;
    const read = () => {
      if (query === 'policies') return this.primary.aclPolicies();
      if (query === 'roles') return this.primary.aclRoles();
      const all = this.primary.aclTokens();
      return { ...all, value: all.value.filter((t) => !t.Local) };
    };
    let r = read();
    while (minIndex > 0 && r.index <= minIndex && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#wake.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      r = read();
    }
    return { value: r.value, index: r.index };
  }
}

const until = async (probe: () => boolean, what: string) => {
  const end = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('the leader replicates policies, roles and global tokens with blocking reads, deletions included, and leaves local tokens alone', async (t) => {
  const f = new Fixture();
  f.write({ type: 'acl-policy-set', op: 'create', policy: policy('p1') });
  f.write({ type: 'acl-token-set', op: 'create', token: token('t1', { Policies: [{ ID: 'p1', Name: '' }] }) });
  f.write({ type: 'acl-token-set', op: 'create', token: token('primary-local', { Local: true }) });
  f.local.apply(1, { type: 'acl-token-set', op: 'create', token: token('dc2-local', { Local: true }) });
  const stop = f.replicator.start();
  t.teardown(stop);
  await until(() => f.local.aclToken('t1').value !== undefined && f.local.aclPolicy('p1').value !== undefined, 'the first round');
  t.deepEqual(f.local.aclToken('t1').value?.Policies, [{ ID: 'p1', Name: 'n-p1' }]);
  t.is(f.local.aclToken('primary-local').value, undefined, "the primary's local tokens are not replicated");
  t.like(f.status.view(), { Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'tokens' });
  t.true(
    f.fetched.every((x) => x.token === 'repl'),
    'every read carries the replication token',
  );

  // Changes wake the blocking reads: an update, a role, a deletion.
  f.write({ type: 'acl-policy-set', op: 'update', policy: policy('p1', { Rules: 'key "a" { policy = "read" }', Hash: 'h2' }) });
  f.write({ type: 'acl-role-set', op: 'create', role: { ID: 'r1', Name: 'ops', Description: '', Policies: [{ ID: 'p1', Name: '' }], Hash: 'h', CreateIndex: 0, ModifyIndex: 0 } });
  f.write({ type: 'acl-token-delete', accessorId: 't1' });
  await until(() => f.local.aclToken('t1').value === undefined && f.local.aclRole('r1').value !== undefined, 'the changes');
  t.is(f.local.aclPolicy('p1').value?.Rules, 'key "a" { policy = "read" }');
  t.truthy(f.local.aclToken('dc2-local').value, 'a local token of this datacenter survives');
  t.true(
    f.fetched.some((x) => x.minIndex > 0),
    'later rounds block past the last index',
  );
  const v = f.status.view();
  t.true(v.ReplicatedIndex > 0 && v.ReplicatedRoleIndex > 0 && v.ReplicatedTokenIndex > 0);
});

test('a failed round is reported, retried with backoff from a full diff, and a token read refused for want of acl write says so', async (t) => {
  const f = new Fixture();
  f.write({ type: 'acl-policy-set', op: 'create', policy: policy('p1') });
  const stop = f.replicator.start();
  t.teardown(stop);
  await until(() => f.fetched.some((x) => x.query === 'policies' && x.minIndex > 0), 'a blocking read past the first round');
  f.fail = new Error('No path to datacenter');
  f.write({ type: 'acl-policy-set', op: 'create', policy: policy('p2') });
  await until(() => f.status.view().LastErrorMessage !== '', 'an error');
  t.regex(f.status.view().LastErrorMessage, /^failed to retrieve remote ACL (policies|roles|tokens): No path to datacenter$/);
  t.not(f.status.view().LastError, '0001-01-01T00:00:00Z');
  const during = f.fetched.length;
  await new Promise((r) => setTimeout(r, 100));
  t.true(f.fetched.length - during <= 9, `backing off (${f.fetched.length - during} reads in 100 ms across 3 loops)`);
  f.fail = new Error('Permission denied');
  // The token loop blocks until a token changes, then its next read is refused.
  f.write({ type: 'acl-token-set', op: 'create', token: token('t1') });
  await until(() => f.status.view().LastErrorMessage.includes('unredacted'), 'the token loop to fail for want of acl write');
  t.is(f.status.view().LastErrorMessage, 'failed to retrieve unredacted tokens - replication token in use does not grant acl:write');
  f.fail = undefined;
  await until(() => f.local.aclPolicy('p2').value !== undefined, 'recovery');
  const reads = f.fetched.filter((x) => x.query === 'policies');
  const firstFailed = reads.findIndex((x) => x.failed);
  t.true(firstFailed > 0);
  t.is(reads[firstFailed + 1]?.minIndex, 0, 'the read after a failure starts from a full diff');
});

test('leadership lost stops replication (Running false) and leadership regained starts it again; without token replication tokens are not read', async (t) => {
  const f = new Fixture(false);
  const stop = f.replicator.start();
  t.teardown(stop);
  await until(() => f.status.view().ReplicatedIndex > 0 || f.fetched.length >= 2, 'a first round');
  t.like(f.status.view(), { Running: true, ReplicationType: 'policies' });
  t.false(f.fetched.some((x) => x.query === 'global-tokens'));
  f.leader = false;
  await until(() => !f.status.view().Running, 'replication to stop');
  const stopped = f.fetched.length;
  f.write({ type: 'acl-policy-set', op: 'create', policy: policy('p9') });
  await new Promise((r) => setTimeout(r, 100));
  t.is(f.local.aclPolicy('p9').value, undefined, 'a follower does not replicate');
  t.true(f.fetched.length <= stopped + 2, 'no new rounds start');
  f.leader = true;
  await until(() => f.local.aclPolicy('p9').value !== undefined, 'replication to resume');
  t.true(f.status.view().Running);
});

test('a large difference is applied in bounded batches', async (t) => {
  const f = new Fixture(false);
  for (let i = 0; i < 2500; i++) f.write({ type: 'acl-policy-set', op: 'create', policy: policy(`p${String(i).padStart(4, '0')}`) });
  const stop = f.replicator.start();
  t.teardown(stop);
  await until(() => f.local.aclPolicies().value.length === 2500, 'every policy');
  const batches = f.applied.filter((c) => c.table === 'policies');
  t.true(batches.length >= 3, `${batches.length} batches`);
  t.true(batches.every((c) => c.upserts.length <= 1024));
});
