import test from 'ava';
import type { SessionEntry } from '../src/index.js';
import { Harness, b64 } from './_helpers.js';

test('creating a session stores it with the request fields and the apply index', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  const r = h.session('s1', 'n1', { Name: 'my-lock', TTL: '30s', NodeChecks: ['serfHealth'] });
  t.is(r.error, undefined);
  const expected: SessionEntry = {
    ID: 's1',
    Name: 'my-lock',
    Node: 'n1',
    LockDelay: 15_000_000_000,
    Behavior: 'release',
    TTL: '30s',
    NodeChecks: ['serfHealth'],
    ServiceChecks: null,
    CreateIndex: h.index,
    ModifyIndex: h.index,
  };
  t.deepEqual(r.value, expected);
  t.deepEqual(h.store.session('s1').value, [expected]);
  t.is(h.store.session('s1').index, h.index);
  t.deepEqual(
    h.store.nodeSessions('n1').value.map((s) => s.ID),
    ['s1'],
  );
  t.deepEqual(h.store.nodeSessions('n2').value, []);
});

test('an unknown session id reads as an empty list', (t) => {
  const h = new Harness();
  t.deepEqual(h.store.session('nope').value, []);
});

test('sessions are listed in creation order', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  for (const id of ['z', 'a', 'm']) h.session(id, 'n1');
  t.deepEqual(
    h.store.sessions().value.map((s) => s.ID),
    ['z', 'a', 'm'],
  );
});

const createErrors: { title: string; setup: (h: Harness) => void; node: string; over: Record<string, unknown>; code: string }[] = [
  { title: 'on a node that is not registered', setup: () => {}, node: 'ghost', over: {}, code: 'STATE_MISSING_NODE' },
  {
    title: 'with a node check that does not exist',
    setup: (h) => h.agentNode('n1'),
    node: 'n1',
    over: { NodeChecks: ['serfHealth', 'nope'] },
    code: 'STATE_UNKNOWN_CHECK',
  },
  {
    title: 'with a node check that is critical',
    setup: (h) => void h.node('n1', { Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical' } }),
    node: 'n1',
    over: { NodeChecks: ['serfHealth'] },
    code: 'STATE_CHECK_CRITICAL',
  },
  {
    title: 'with a service check that does not exist',
    setup: (h) => h.agentNode('n1'),
    node: 'n1',
    over: { ServiceChecks: [{ ID: 'service:web' }] },
    code: 'STATE_UNKNOWN_CHECK',
  },
  {
    title: 'with a service check that is critical',
    setup: (h) =>
      void h.node('n1', {
        Service: { Service: 'web' },
        Check: { CheckID: 'service:web', Name: 'web', ServiceID: 'web' },
      }),
    node: 'n1',
    over: { ServiceChecks: [{ ID: 'service:web' }] },
    code: 'STATE_CHECK_CRITICAL',
  },
  {
    title: 'with a check that exists only on another node',
    setup: (h) => {
      h.agentNode('n1');
      h.node('n2');
    },
    node: 'n2',
    over: { NodeChecks: ['serfHealth'] },
    code: 'STATE_UNKNOWN_CHECK',
  },
  {
    title: 'with an ID already in use',
    setup: (h) => {
      h.agentNode('n1');
      h.session('s1', 'n1');
    },
    node: 'n1',
    over: {},
    code: 'STATE_INVALID_REQUEST',
  },
  { title: 'without an ID', setup: (h) => h.agentNode('n1'), node: 'n1', over: { ID: '' }, code: 'STATE_INVALID_REQUEST' },
];
for (const row of createErrors) {
  test(`creating a session ${row.title} fails with ${row.code} and changes nothing`, (t) => {
    const h = new Harness();
    row.setup(h);
    const before = h.store.sessions();
    const r = h.session('s1', row.node, row.over);
    t.is(r.error?.code, row.code as never);
    t.deepEqual(h.store.sessions(), before);
  });
}

test('a session may use a warning check', (t) => {
  const h = new Harness();
  h.node('n1', { Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'warning' } });
  t.is(h.session('s1', 'n1', { NodeChecks: ['serfHealth'] }).error, undefined);
});

test('destroying a release session clears Session on its keys, keeps LockIndex and bumps ModifyIndex', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('a', 'n1');
  h.kv({ Verb: 'lock', Key: 'k1', Value: b64('v'), Session: 'a' });
  h.kv({ Verb: 'lock', Key: 'k2', Session: 'a' });
  h.set('free', 'x');
  const freeBefore = h.get('free');
  t.is(h.apply({ type: 'session-destroy', id: 'a' }).value, true);
  for (const k of ['k1', 'k2']) {
    const e = h.get(k);
    t.truthy(e);
    t.false('Session' in (e ?? {}), `${k} no longer names the session`);
    t.like(e, { LockIndex: 1, ModifyIndex: h.index });
  }
  t.is(h.get('k1')?.Value, b64('v'));
  t.deepEqual(h.get('free'), freeBefore);
  t.deepEqual(h.store.session('a').value, []);
});

test('destroying a delete session deletes the keys it holds and leaves tombstones', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('a', 'n1', { Behavior: 'delete' });
  h.kv({ Verb: 'lock', Key: 'p/k1', Session: 'a' });
  h.kv({ Verb: 'lock', Key: 'p/k2', Session: 'a' });
  h.set('p/free', 'x');
  h.apply({ type: 'session-destroy', id: 'a' });
  t.deepEqual(h.store.kvKeys('p/').value, ['p/free']);
  t.is(h.store.kvList('p/').index, h.index);
  t.is(h.store.tombstoneCount(), 2);
});

test('destroying an unknown session answers true and changes nothing', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  const before = h.store.snapshot();
  t.is(h.apply({ type: 'session-destroy', id: 'nope' }).value, true);
  t.deepEqual({ ...h.store.snapshot(), index: 0 }, { ...before, index: 0 });
});

// Consul's lock-delay: after A is destroyed, B cannot acquire until the lock-delay passes.
const delayRows: { title: string; behavior: 'release' | 'delete'; lockDelayNs: number; offsetMs: number; ok: boolean }[] = [
  { title: 'just after the destroy', behavior: 'release', lockDelayNs: 15e9, offsetMs: 1, ok: false },
  { title: 'one millisecond before the delay ends', behavior: 'release', lockDelayNs: 15e9, offsetMs: 14_999, ok: false },
  { title: 'exactly when the delay ends', behavior: 'release', lockDelayNs: 15e9, offsetMs: 15_000, ok: true },
  { title: 'after the delay ends', behavior: 'release', lockDelayNs: 15e9, offsetMs: 20_000, ok: true },
  { title: 'inside the delay of a delete session', behavior: 'delete', lockDelayNs: 5e9, offsetMs: 4_000, ok: false },
  { title: 'after the delay of a delete session', behavior: 'delete', lockDelayNs: 5e9, offsetMs: 5_000, ok: true },
  { title: 'at once when the lock-delay is zero', behavior: 'release', lockDelayNs: 0, offsetMs: 0, ok: true },
];
for (const row of delayRows) {
  test(`acquiring a key after its holder was destroyed ${row.title} ${row.ok ? 'succeeds' : 'fails'}`, (t) => {
    const h = new Harness();
    h.agentNode('n1');
    h.session('a', 'n1', { Behavior: row.behavior, LockDelay: row.lockDelayNs });
    h.session('b', 'n1');
    h.kv({ Verb: 'lock', Key: 'k', Value: b64('v'), Session: 'a' });
    t.is(h.kv({ Verb: 'lock', Key: 'k', Session: 'b' }).value, false, 'held by a');
    const destroyAt = 5_000_000;
    h.apply({ type: 'session-destroy', id: 'a', time: destroyAt });
    const lockIndex = h.get('k')?.LockIndex ?? 0;
    if (row.lockDelayNs > 0) t.is(h.store.lockDelayUntil('k'), destroyAt + row.lockDelayNs / 1e6);
    const r = h.kv({ Verb: 'lock', Key: 'k', Value: b64('w'), Session: 'b' }, destroyAt + row.offsetMs);
    t.is(r.value, row.ok);
    if (row.ok) t.like(h.get('k'), { Session: 'b', LockIndex: lockIndex + 1 });
    else t.not(h.get('k')?.Session, 'b');
  });
}

test('the lock-delay of a key does not block other keys', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('a', 'n1');
  h.session('b', 'n1');
  h.kv({ Verb: 'lock', Key: 'k', Session: 'a' });
  h.apply({ type: 'session-destroy', id: 'a', time: 100 });
  t.is(h.kv({ Verb: 'lock', Key: 'other', Session: 'b' }, 101).value, true);
});

test('expired lock-delays are pruned by a later destroy', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('a', 'n1', { LockDelay: 1e9 });
  h.session('b', 'n1');
  h.kv({ Verb: 'lock', Key: 'k', Session: 'a' });
  h.apply({ type: 'session-destroy', id: 'a', time: 1000 });
  t.is(h.store.lockDelayUntil('k'), 2000);
  h.apply({ type: 'session-destroy', id: 'b', time: 2000 });
  t.is(h.store.lockDelayUntil('k'), undefined);
});
