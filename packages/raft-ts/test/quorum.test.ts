import test from 'ava';
import { committedIndex, voteResult } from '../src/core/quorum.js';

test('the commit index is the largest index a majority of voters acknowledged', (t) => {
  const match = new Map([
    ['a', 5],
    ['b', 3],
    ['c', 9],
  ]);
  t.is(
    committedIndex(['a', 'b', 'c'], (id) => match.get(id) ?? 0),
    5,
  );
  const m5 = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
    ['e', 5],
  ]);
  t.is(
    committedIndex(['a', 'b', 'c', 'd', 'e'], (id) => m5.get(id) ?? 0),
    3,
  );
  t.is(
    committedIndex(['a', 'b', 'c', 'd'], (id) => m5.get(id) ?? 0),
    2,
  );
});

test('an election is won with a majority, lost once a majority is impossible, pending otherwise', (t) => {
  const v = ['a', 'b', 'c', 'd', 'e'];
  t.is(
    voteResult(
      v,
      new Map([
        ['a', true],
        ['b', true],
      ]),
    ),
    'pending',
  );
  t.is(
    voteResult(
      v,
      new Map([
        ['a', true],
        ['b', true],
        ['c', true],
      ]),
    ),
    'won',
  );
  t.is(
    voteResult(
      v,
      new Map([
        ['a', true],
        ['b', false],
        ['c', false],
        ['d', false],
      ]),
    ),
    'lost',
  );
});
