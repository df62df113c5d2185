import test from 'ava';
import { RaftLog } from '../src/core/raft-log.js';
import { MemoryStorage } from '../src/index.js';
import type { Entry } from '../src/index.js';

const e = (term: number, index: number): Entry => ({ term, index, type: 'normal', data: new Uint8Array(0) });

function logWith(stable: Entry[], unstable: Entry[] = []): RaftLog {
  const s = new MemoryStorage();
  s.append(stable);
  const log = new RaftLog(s, 1e9);
  log.append(unstable);
  return log;
}

test('an append at a conflicting index replaces the unstable suffix', (t) => {
  const log = logWith([e(1, 1), e(1, 2)], [e(2, 3), e(2, 4), e(2, 5)]);
  t.is(log.maybeAppend(3, 2, 0, [e(3, 4)]), 4);
  t.is(log.lastIndex(), 4);
  t.is(log.term(4), 3);
  t.is(log.term(5), undefined);
});

test('an append whose previous entry does not match is refused', (t) => {
  const log = logWith([e(1, 1), e(2, 2)]);
  t.is(log.maybeAppend(2, 1, 0, [e(3, 3)]), undefined);
  t.is(log.lastIndex(), 2);
});

test('an append that conflicts with a committed entry is an invariant violation', (t) => {
  const log = logWith([e(1, 1), e(1, 2), e(1, 3)]);
  log.commitTo(3);
  const err = t.throws(() => log.maybeAppend(1, 1, 3, [e(2, 2)]));
  t.is((err as { code?: string }).code, 'RAFT_INVARIANT');
});

test('findConflictByTerm skips a whole diverging term', (t) => {
  // terms by index: 1:1 2:1 3:2 4:2 5:2 6:4 7:4
  const log = logWith([e(1, 1), e(1, 2), e(2, 3), e(2, 4), e(2, 5), e(4, 6), e(4, 7)]);
  t.is(log.findConflictByTerm(7, 3), 5);
  t.is(log.findConflictByTerm(7, 4), 7);
  t.is(log.findConflictByTerm(5, 1), 2);
  t.is(log.findConflictByTerm(7, 0), 0);
});

test('stableTo ignores an acknowledgement for an entry that was since replaced', (t) => {
  const log = logWith([e(1, 1)], [e(1, 2), e(1, 3)]);
  log.append([e(2, 3)]);
  log.stableTo(3, 1);
  t.is(log.unstableEntries().length, 2);
  log.stableTo(3, 2);
  t.is(log.unstableEntries().length, 0);
});

test('only an entry of the current term commits by counting', (t) => {
  const log = logWith([e(1, 1), e(1, 2), e(2, 3)]);
  t.false(log.maybeCommit(2, 2));
  t.is(log.committed, 0);
  t.true(log.maybeCommit(3, 2));
  t.is(log.committed, 3);
});

test('isUpToDate compares the last term first, then the last index', (t) => {
  const log = logWith([e(1, 1), e(2, 2)]);
  t.true(log.isUpToDate(1, 3));
  t.true(log.isUpToDate(2, 2));
  t.false(log.isUpToDate(1, 2));
  t.false(log.isUpToDate(5, 1));
});

test('slices span stable and unstable entries and respect the byte limit but return at least one', (t) => {
  const big = (term: number, index: number): Entry => ({ term, index, type: 'normal', data: new Uint8Array(100) });
  const log = logWith([big(1, 1), big(1, 2)], [big(1, 3), big(1, 4)]);
  t.deepEqual(
    log.slice(1, 5, 1e9).map((x) => x.index),
    [1, 2, 3, 4],
  );
  t.deepEqual(
    log.slice(2, 5, 250).map((x) => x.index),
    [2, 3],
  );
  t.deepEqual(
    log.slice(3, 5, 1).map((x) => x.index),
    [3],
  );
});
