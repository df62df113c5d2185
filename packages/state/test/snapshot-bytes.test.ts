import test from 'ava';
import { StateError, StateStore, snapshotFromBytes } from '../src/index.js';
import type { StateSnapshot } from '../src/store.js';
import { Harness } from './_helpers.js';

/** A store with more keys than one serialized slice holds, some with JSON's special characters. */
function filled(): Harness {
  const h = new Harness();
  const odd = ['a]b', 'c}d', 'e"f', 'g\\h', 'i{j[k', 'ünïcødé/🙂', 'line\nbreak', '"kv":[]'];
  for (let i = 0; i < 25_000; i++) h.set(`k/${String(i).padStart(6, '0')}${odd[i % odd.length]}`, `value ${i} ]}"`);
  h.apply({ type: 'register', reg: { Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web', Service: 'web', Port: 80, Meta: { kv: '[]' } } } });
  return h;
}

test('snapshot bytes are exactly the JSON of the snapshot, written a slice of KV entries at a time', (t) => {
  const h = filled();
  t.true(h.store.snapshotBytes().equals(Buffer.from(h.store.snapshotJson())));
});

test('snapshot bytes past the whole-parse limit are read back slice by slice into the same state', (t) => {
  const h = filled();
  const bytes = h.store.snapshotBytes();
  const sliced = snapshotFromBytes<StateSnapshot>(bytes, 0);
  t.deepEqual(sliced, JSON.parse(bytes.toString('utf8')));
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restore(sliced);
  t.is(copy.snapshotJson(), h.store.snapshotJson());
  t.is(copy.kvGet('k/000003g\\h').value?.Key, 'k/000003g\\h');
});

test('an empty store and undecodable bytes', (t) => {
  const empty = new StateStore({ datacenter: 'dc1' });
  t.deepEqual(snapshotFromBytes<StateSnapshot>(empty.snapshotBytes(), 0), JSON.parse(empty.snapshotJson()));
  for (const bad of ['{"version":1,"kv":[{"Key":"a"', 'not json', '{"version":1}']) {
    const err = t.throws(() => snapshotFromBytes(Buffer.from(bad), 0));
    t.true(err instanceof StateError, bad);
  }
});

test('restoreOwned keeps the parsed objects; restore copies, so a caller changing its snapshot afterwards changes nothing', (t) => {
  const h = new Harness();
  h.set('a', 'one');
  h.set('b', 'two');
  const parsed = snapshotFromBytes<StateSnapshot>(h.store.snapshotBytes());
  const owned = new StateStore({ datacenter: 'dc1' });
  owned.restoreOwned(parsed);
  t.is(owned.snapshotJson(), h.store.snapshotJson());
  t.is(owned.kvGet('a').value, parsed.kv[0]);

  const kept = snapshotFromBytes<StateSnapshot>(h.store.snapshotBytes());
  const copied = new StateStore({ datacenter: 'dc1' });
  copied.restore(kept);
  (kept.kv[0] as { Key: string }).Key = 'changed';
  t.is(copied.snapshotJson(), h.store.snapshotJson());
});
