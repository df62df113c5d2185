import test from 'ava';
import { Inflights } from '../src/core/inflights.js';
import { Progress } from '../src/core/progress.js';

test('the in-flight window fills by count or by bytes and frees up to an acknowledged index', (t) => {
  const byCount = new Inflights(2, 0);
  byCount.add(5, 10);
  t.false(byCount.full());
  byCount.add(9, 10);
  t.true(byCount.full());
  byCount.freeLE(5);
  t.false(byCount.full());
  t.is(byCount.count(), 1);
  const byBytes = new Inflights(100, 1000);
  byBytes.add(1, 600);
  byBytes.add(2, 600);
  t.true(byBytes.full());
  byBytes.freeLE(1);
  t.false(byBytes.full());
});

test('a probing follower gets one append at a time; replicate pipelines until the window fills', (t) => {
  const p = new Progress(11, false, 2, 0);
  t.false(p.isPaused());
  p.sentEntries(3, 13, 30);
  t.true(p.isPaused(), 'probe waits for an answer');
  t.true(p.maybeUpdate(13));
  p.becomeReplicate();
  t.is(p.next, 14);
  p.sentEntries(2, 15, 20);
  t.is(p.next, 16);
  t.false(p.isPaused());
  p.sentEntries(2, 17, 20);
  t.true(p.isPaused(), 'window of 2 is full');
  t.true(p.maybeUpdate(15));
  p.inflights.freeLE(15);
  t.false(p.isPaused());
});

test('a rejection in probe state moves next back to the follower hint, never below match', (t) => {
  const p = new Progress(20, false, 4, 0);
  p.match = 5;
  t.false(p.maybeDecrTo(10, 3), 'stale rejection of an index we did not send');
  t.true(p.maybeDecrTo(19, 12));
  t.is(p.next, 13);
  t.true(p.maybeDecrTo(12, 1));
  t.is(p.next, 6, 'never below match + 1');
});

test('after a snapshot, probing resumes past the snapshot index', (t) => {
  const p = new Progress(3, false, 4, 0);
  p.becomeSnapshot(100);
  t.true(p.isPaused());
  p.becomeProbe();
  t.is(p.next, 101);
});
