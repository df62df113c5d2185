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

/** A store with sessions holding keys, uint64 flags above 2^53, empty values and tombstones. */
const ID = '11111111-2222-3333-4444-555555555555';

function varied(): Harness {
  const h = filled();
  h.apply({ type: 'register', reg: { Node: 'n2', Address: '10.0.0.2' } });
  const created = h.apply({ type: 'session-create', session: { ID, Node: 'n2', Name: 'lock', LockDelay: 0, Behavior: 'release', TTL: '', NodeChecks: null, ServiceChecks: null } });
  if (created.error) throw created.error;
  const locked = h.kv({ Verb: 'lock', Key: 'locked/ünï', Value: Buffer.from('held').toString('base64'), Session: ID });
  if (locked.value !== true) throw new Error('lock not taken');
  h.kv({ Verb: 'set', Key: 'flags/big', Value: null, Flags: '18446744073709551615' });
  h.kv({ Verb: 'set', Key: 'empty', Value: null });
  h.kv({ Verb: 'delete', Key: 'k/000001c}d' });
  return h;
}

test('snapshot bytes read back into exactly the same state, and the pieces joined are those bytes', (t) => {
  const h = varied();
  const bytes = h.store.snapshotBytes();
  t.true(Buffer.concat([...h.store.snapshotPieces()]).equals(bytes));
  t.true([...h.store.snapshotPieces()].length > 1, 'more than one piece');
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restoreOwned(snapshotFromBytes<StateSnapshot>(bytes));
  t.is(copy.snapshotJson(), h.store.snapshotJson());
  t.is(copy.kvGet('locked/ünï').value?.Session, ID);
  t.deepEqual(copy.kvGet('locked/ünï').value, h.store.kvGet('locked/ünï').value);
  t.is(copy.kvGet('flags/big').value?.Flags, '18446744073709551615');
  t.is(copy.kvGet('empty').value?.Value, null);
  // the restored key order answers prefix reads as the original does
  t.deepEqual(copy.kvKeys('k/00002').value, h.store.kvKeys('k/00002').value);
  t.deepEqual(copy.kvList('locked/').value, h.store.kvList('locked/').value);
});

test('the JSON pieces joined are exactly the JSON of the snapshot', (t) => {
  const h = varied();
  const { index, datacenter, pieces } = h.store.snapshotJsonPieces();
  t.is(index, h.store.lastIndex);
  t.is(datacenter, 'dc1');
  const list = [...pieces];
  t.true(list.length > 3);
  t.is(list.join(''), h.store.snapshotJson());
});

test('a snapshot taken in pieces is of the state when it was taken, whatever is written while the pieces are read', (t) => {
  const h = varied();
  const expected = h.store.snapshotJson();
  const binary = h.store.snapshotPieces()[Symbol.iterator]();
  const json = h.store.snapshotJsonPieces().pieces[Symbol.iterator]();
  const first = [binary.next().value as Buffer];
  const firstJson = [json.next().value as string];
  h.set('k/000000a]b', 'overwritten');
  h.kv({ Verb: 'delete-tree', Key: 'k/00001' });
  h.set('zz/new', 'added');
  for (let r = binary.next(); !r.done; r = binary.next()) first.push(r.value);
  for (let r = json.next(); !r.done; r = json.next()) firstJson.push(r.value);
  t.is(firstJson.join(''), expected);
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restoreOwned(snapshotFromBytes<StateSnapshot>(Buffer.concat(first)));
  t.is(copy.snapshotJson(), expected);
});

test('a JSON snapshot (the earlier format) is still read, whole or slice by slice', (t) => {
  const h = filled();
  const json = Buffer.from(h.store.snapshotJson());
  const sliced = snapshotFromBytes<StateSnapshot>(json, 0);
  t.deepEqual(sliced, JSON.parse(json.toString('utf8')));
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restore(sliced);
  t.is(copy.snapshotJson(), h.store.snapshotJson());
  t.is(copy.kvGet('k/000003g\\h').value?.Key, 'k/000003g\\h');
  t.deepEqual(snapshotFromBytes<StateSnapshot>(json), sliced);
});

test('an empty store and undecodable bytes', (t) => {
  const empty = new StateStore({ datacenter: 'dc1' });
  t.deepEqual(snapshotFromBytes<StateSnapshot>(empty.snapshotBytes(), 0), JSON.parse(empty.snapshotJson()));
  for (const bad of ['{"version":1,"kv":[{"Key":"a"', 'not json', '{"version":1}']) {
    const err = t.throws(() => snapshotFromBytes(Buffer.from(bad), 0));
    t.true(err instanceof StateError, bad);
  }
  const good = filled().store.snapshotBytes();
  const count = 12 + good.readUInt32LE(8); // magic, the header's length, the header, then the u32 entry count
  const huge = Buffer.from(good);
  huge.writeUInt32LE(0xffffffff, count);
  const broken: [string, Buffer][] = [
    ['truncated', good.subarray(0, good.length - 7)],
    ['cut inside the header', good.subarray(0, 20)],
    ['trailing bytes', Buffer.concat([good, Buffer.from([1, 2, 3])])],
    ['an entry count the bytes cannot hold', huge],
  ];
  for (const [what, bytes] of broken) {
    const err = t.throws(() => snapshotFromBytes(bytes), undefined, what);
    t.true(err instanceof StateError, what);
    t.regex((err as Error).message, /undecodable snapshot/, what);
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

test('a snapshot hands over a piece (an empty one when no buffer filled) at least every 512 entries, so that its taker can yield between them', (t) => {
  const h = filled();
  const pieces = [...h.store.snapshotPieces()];
  // 25,000 small entries fill few buffers of a MiB: the pieces are mostly pause points.
  t.true(pieces.length >= Math.ceil(25_000 / 512), `${pieces.length} pieces`);
  t.true(pieces.some((p) => p.length === 0));
  t.true(Buffer.concat(pieces).equals(h.store.snapshotBytes()));
});
