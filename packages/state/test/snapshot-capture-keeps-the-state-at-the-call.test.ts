/**
 * `snapshotPieces()` copies the KV index's chunks of entry references at the call and encodes the
 * entries later: whatever is written before the first piece is taken or between pieces (sets,
 * deletes, re-creations, a transaction that rolls back, a restore), the bytes are of the state at
 * the call.
 */
import test from 'ava';
import { StateStore, snapshotFromBytes } from '../src/index.js';
import type { StateSnapshot } from '../src/store.js';
import { Harness } from './_helpers.js';

function store(keys: number): Harness {
  const h = new Harness();
  for (let i = 0; i < keys; i++) h.set(`k/${String(i).padStart(6, '0')}`, `v${i}`);
  return h;
}

function restored(pieces: Iterable<Buffer>): StateStore {
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restoreOwned(snapshotFromBytes<StateSnapshot>(Buffer.concat([...pieces])));
  return copy;
}

test('writes made after the call, even before the first piece is taken, are not in the snapshot', (t) => {
  const h = store(10_000);
  const expected = h.store.snapshotJson();
  const pieces = h.store.snapshotPieces();
  h.set('k/000000', 'changed');
  h.kv({ Verb: 'delete', Key: 'k/000001' });
  h.kv({ Verb: 'delete', Key: 'k/000002' });
  h.set('k/000002', 're-created');
  h.set('k/000002', 're-created twice');
  h.kv({ Verb: 'delete-tree', Key: 'k/0090' });
  h.set('a/new', 'before every captured key');
  for (let i = 0; i < 600; i++) h.set(`k/000100/${i}`, 'splits the chunk that held k/000100');
  h.set('k/000003', 'first');
  h.set('k/000003', 'second');
  // a transaction that fails rolls back its writes
  const failed = h.apply({
    type: 'txn',
    ops: [
      { KV: { Verb: 'set', Key: 'k/000004', Value: Buffer.from('rolled back').toString('base64') } },
      { KV: { Verb: 'delete', Key: 'k/000006' } },
      { KV: { Verb: 'cas', Key: 'k/000005', Index: 1, Value: null } },
    ],
  });
  t.truthy(failed.value ?? failed.error);
  t.is(h.get('k/000004')?.Value, Buffer.from('v4').toString('base64'));
  t.is(h.get('k/000006')?.Value, Buffer.from('v6').toString('base64'));
  t.deepEqual(h.store.kvKeys('k/00000').value.slice(0, 7), ['k/000000', 'k/000002', 'k/000003', 'k/000004', 'k/000005', 'k/000006', 'k/000007']);
  t.is(restored(pieces).snapshotJson(), expected);
});

test('a restore while the pieces are taken changes nothing in them', (t) => {
  const h = store(10_000);
  const expected = h.store.snapshotJson();
  const other = store(3).store.snapshotBytes();
  const it = h.store.snapshotPieces()[Symbol.iterator]();
  const first = [it.next().value as Buffer];
  h.store.restoreOwned(snapshotFromBytes<StateSnapshot>(other));
  h.set('k/000007', 'after the restore');
  for (let r = it.next(); !r.done; r = it.next()) first.push(r.value);
  t.is(restored(first).snapshotJson(), expected);
  t.is(h.store.kvList('k/').value.length, 3 + 1);
});

test('two snapshots taken apart each hold their own moment', (t) => {
  const h = store(10_000);
  const a = h.store.snapshotPieces();
  h.set('k/000000', 'between');
  const between = h.store.snapshotJson();
  const b = h.store.snapshotPieces();
  h.set('k/000000', 'after both');
  t.is(restored(b).snapshotJson(), between);
  t.is(restored(a).kvGet('k/000000').value?.Value, Buffer.from('v0').toString('base64'));
});
