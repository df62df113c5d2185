import test from 'ava';
import { StateError, StateStore } from '../src/index.js';
import { Harness, b64, text, watchCount } from './_helpers.js';

function busy(): Harness {
  const h = new Harness();
  h.agentNode('n1');
  h.node('n2', { Service: { ID: 'w', Service: 'web', Tags: ['a'] }, Check: { CheckID: 'service:w', ServiceID: 'w', Status: 'passing' } });
  h.session('s1', 'n1', { NodeChecks: ['serfHealth'] });
  h.session('s2', 'n1', { Behavior: 'delete', LockDelay: 1e9 });
  h.set('a', '1', 5);
  h.set('p/x', '2');
  h.kv({ Verb: 'lock', Key: 'p/l', Value: b64('l'), Session: 's1' });
  h.kv({ Verb: 'lock', Key: 'p/d', Session: 's2' });
  h.kv({ Verb: 'delete', Key: 'a' });
  h.apply({ type: 'session-destroy', id: 's2', time: 50 });
  return h;
}

test('restoring a snapshot into a fresh store gives an identical snapshot', (t) => {
  const h = busy();
  const snap = h.store.snapshot();
  const fresh = new StateStore();
  fresh.restore(snap);
  t.deepEqual(fresh.snapshot(), snap);
  t.is(fresh.lastIndex, h.index);
  t.is(fresh.datacenter, 'dc1');
});

test('a restored store answers queries like the original', (t) => {
  const h = busy();
  const fresh = new StateStore();
  fresh.restore(h.store.snapshot());
  for (const q of [
    (s: StateStore) => s.kvList(''),
    (s: StateStore) => s.kvList('p/'),
    (s: StateStore) => s.kvGet('a'),
    (s: StateStore) => s.kvKeys('', '/'),
    (s: StateStore) => s.sessions(),
    (s: StateStore) => s.healthService('web'),
    (s: StateStore) => s.serviceChecks('web'),
    (s: StateStore) => s.nodeServices('n2'),
    (s: StateStore) => s.checksInState('any'),
    (s: StateStore) => s.services(),
  ]) {
    t.deepEqual(q(fresh), q(h.store));
  }
  t.is(fresh.lockDelayUntil('p/d'), 1050);
  t.is(fresh.tombstoneCount(), h.store.tombstoneCount());
});

test('a restored store keeps working: locks held before the snapshot are released on destroy', (t) => {
  const h = busy();
  const fresh = new Harness(new StateStore());
  fresh.store.restore(h.store.snapshot());
  fresh.index = h.index;
  fresh.apply({ type: 'session-destroy', id: 's1' });
  t.is(fresh.get('p/l')?.Session, undefined);
  t.is(fresh.get('p/l')?.LockIndex, 1);
});

test('a snapshot is a copy: later writes do not change it', (t) => {
  const h = busy();
  const snap = h.store.snapshot();
  const copy = structuredClone(snap);
  h.set('p/x', 'changed');
  h.node('n2', { Service: { ID: 'w', Service: 'web', Tags: ['b'] } });
  t.deepEqual(snap, copy);
});

test('restore wakes every watcher, including ones on keys and prefixes that exist in neither state', (t) => {
  const h = busy();
  const target = new Harness();
  target.set('only-here', 'x');
  const watches = [
    watchCount(target.store, target.store.kvGet('only-here').topics),
    watchCount(target.store, target.store.kvGet('nowhere').topics),
    watchCount(target.store, target.store.kvList('empty/').topics),
    watchCount(target.store, target.store.healthService('web').topics),
    watchCount(target.store, target.store.sessions().topics),
    watchCount(target.store, target.store.nodeServices('n9').topics),
    watchCount(target.store, target.store.checksInState('any').topics),
  ];
  target.store.restore(h.store.snapshot());
  t.deepEqual(
    watches.map((w) => w.fired()),
    watches.map(() => 1),
  );
  t.is(target.store.watcherCount, 0);
});

test('restoring an unsupported snapshot version throws and keeps the state', (t) => {
  const h = busy();
  const before = h.store.snapshot();
  const err = t.throws(() => h.store.restore({ ...before, version: 2 as 1 }));
  t.true(err instanceof StateError);
  t.deepEqual(h.store.snapshot(), before);
});

test('a restore command replaces the state at its own index and refuses another datacenter', (t) => {
  const saved = busy().store.snapshot();
  const h = new Harness();
  h.set('other', 'x');
  const r = h.apply({ type: 'restore', snapshot: saved });
  t.is(r.value, true);
  t.is(h.store.lastIndex, h.index);
  t.is(h.store.kvGet('other').value, undefined);
  t.is(text(h.store.kvGet('p/x').value?.Value), '2');
  const bad = h.apply({ type: 'restore', snapshot: { ...saved, datacenter: 'dc9' } });
  t.is(bad.value, false);
  t.is(bad.error?.code, 'STATE_INVALID_REQUEST');
  t.is(text(h.store.kvGet('p/x').value?.Value), '2');
});

test('snapshotJson serializes exactly what snapshot returns', (t) => {
  const h = busy();
  t.deepEqual(JSON.parse(h.store.snapshotJson()), h.store.snapshot());
});
