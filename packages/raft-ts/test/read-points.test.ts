import test from 'ava';
import { ReadPoints } from '../src/driver/read-points.js';
import { ReadIndexError } from '../src/errors.js';

const settled = async <T>(p: Promise<T>): Promise<'pending' | { value: T } | { error: Error }> =>
  Promise.race([
    p.then(
      (value) => ({ value }),
      (error: Error) => ({ error }),
    ),
    new Promise<'pending'>((r) => setImmediate(() => r('pending'))),
  ]);

test('a read resolves only once it is confirmed and the state machine applied up to its index', async (t) => {
  const points = new ReadPoints(5000);
  const asked: string[] = [];
  const read = points.add('r1', () => asked.push('r1'));
  t.deepEqual(asked, ['r1']);
  points.advance([], 100);
  t.is(await settled(read), 'pending', 'not confirmed yet');
  points.advance([{ index: 7, context: 'r1' }], 5);
  t.is(await settled(read), 'pending', 'confirmed at 7, applied only 5');
  points.advance([], 7);
  t.deepEqual(await settled(read), { value: 7 });
});

test('a leader change fails unconfirmed reads but keeps confirmed ones; failAll ends the rest', async (t) => {
  const points = new ReadPoints(5000);
  const confirmed = points.add('a', () => {});
  const unconfirmed = points.add('b', () => {});
  const later = points.add('c', () => {});
  points.advance(
    [
      { index: 10, context: 'a' },
      { index: 11, context: 'c' },
    ],
    3,
  );
  points.failUnconfirmed(new ReadIndexError('leader changed'));
  const b = await settled(unconfirmed);
  t.true(typeof b === 'object' && 'error' in b && b.error instanceof ReadIndexError);
  t.is(await settled(confirmed), 'pending');
  points.advance([], 10);
  t.deepEqual(await settled(confirmed), { value: 10 });
  points.failAll(new Error('stopped'));
  const c = await settled(later);
  t.true(typeof c === 'object' && 'error' in c && c.error.message === 'stopped');
  // A context the core confirms after its read is gone is ignored.
  t.notThrows(() => points.advance([{ index: 12, context: 'b' }], 20));
});

test('a read that is never confirmed times out, and one the core refuses is rejected at once', async (t) => {
  const points = new ReadPoints(20);
  const slow = points.add('slow', () => {});
  await t.throwsAsync(slow, { instanceOf: ReadIndexError, message: /timed out/ });
  const refused = points.add('refused', () => {
    throw new Error('not leader');
  });
  await t.throwsAsync(refused, { message: 'not leader' });
  // Neither is answered later.
  t.notThrows(() =>
    points.advance(
      [
        { index: 1, context: 'slow' },
        { index: 1, context: 'refused' },
      ],
      5,
    ),
  );
});
