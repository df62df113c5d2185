import test from 'ava';
import { bootstrapEntries, MemoryStorage, RawNode, Xoshiro128, decodeConfChange } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function singleNode(): { node: RawNode; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  const b = bootstrapEntries(['1']);
  storage.append(b.entries);
  storage.setHardState(b.hardState);
  const node = new RawNode({ id: '1', prng: new Xoshiro128(7), applied: 1 }, storage);
  node.raft.applyConfChange(decodeConfChange(b.entries[0]!.data));
  node.campaign();
  const rd = node.ready();
  storage.saveSync(rd);
  node.advance(rd);
  // The election no-op commits once it is durable.
  const rd2 = node.ready();
  storage.saveSync(rd2);
  node.advance(rd2);
  return { node, storage };
}

test('overlapping Readys hand out each entry once, and entries commit only once durable', (t) => {
  const { node, storage } = singleNode();
  t.is(node.status().role, 'leader');
  const first = node.status().commit;

  node.propose([enc.encode('a')]);
  const rd1 = node.ready();
  t.deepEqual(
    rd1.entries.map((e) => dec.decode(e.data)),
    ['a'],
  );
  node.advanceApplied(rd1);

  node.propose([enc.encode('b')]);
  const rd2 = node.ready();
  t.deepEqual(
    rd2.entries.map((e) => dec.decode(e.data)),
    ['b'],
    'a is being written and is not handed out again',
  );
  t.is(rd2.committedEntries.length, 0, 'nothing commits before the leader has it on disk');
  node.advanceApplied(rd2);

  storage.saveSync(rd1);
  node.advanceStable(rd1);
  t.true(node.hasReady());
  const rd3 = node.ready();
  t.deepEqual(rd3.entries, []);
  t.deepEqual(
    rd3.committedEntries.map((e) => dec.decode(e.data)),
    ['a'],
  );
  t.is(rd3.hardState?.commit, first + 1);
  node.advanceApplied(rd3);

  storage.saveSync(rd2);
  node.advanceStable(rd2);
  storage.saveSync(rd3);
  node.advanceStable(rd3);
  const rd4 = node.ready();
  t.deepEqual(
    rd4.committedEntries.map((e) => dec.decode(e.data)),
    ['b'],
  );
  node.advance(rd4);
  t.false(node.hasReady());
});

test('ready() refuses to run before the previous Ready was applied', (t) => {
  const { node } = singleNode();
  node.propose([enc.encode('x')]);
  node.ready();
  const err = t.throws(() => node.ready());
  t.is((err as { code?: string }).code, 'RAFT_INVARIANT');
});
