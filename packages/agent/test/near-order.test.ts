import test from 'ava';
import { StateStore } from '@concord/state';
import { sortByDistance } from '../src/query/near-sort.js';

const at = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 1e-5 });

function store(coords: Record<string, number>, nodes: string[]): StateStore {
  const s = new StateStore();
  let i = 0;
  for (const n of nodes) s.apply(++i, { type: 'register', reg: { Node: n, Address: '10.0.0.1' } });
  s.apply(++i, { type: 'coordinate-batch-update', updates: Object.entries(coords).map(([Node, x]) => ({ Node, Segment: '', Coord: at(x) })) });
  return s;
}

test('a stable sort by distance from the source; ties and nodes without a coordinate keep their order', (t) => {
  const s = store({ src: 0, far: 0.3, tieA: 0.1, tieB: 0.1, near: 0.01 }, ['src', 'far', 'tieA', 'tieB', 'near', 'none1', 'none2']);
  const items = ['none1', 'far', 'tieB', 'none2', 'near', 'tieA', 'src'];
  t.deepEqual(
    sortByDistance(items, (x) => x, 'src', s),
    ['src', 'near', 'tieB', 'tieA', 'far', 'none1', 'none2'],
  );
  t.deepEqual(items, ['none1', 'far', 'tieB', 'none2', 'near', 'tieA', 'src'], 'the input is not reordered in place');
});

test('no source, or a source without a coordinate, leaves the order alone', (t) => {
  const s = store({ a: 0, b: 0.1 }, ['a', 'b', 'c']);
  t.deepEqual(
    sortByDistance(['b', 'c', 'a'], (x) => x, undefined, s),
    ['b', 'c', 'a'],
  );
  t.deepEqual(
    sortByDistance(['b', 'c', 'a'], (x) => x, 'c', s),
    ['b', 'c', 'a'],
  );
  t.deepEqual(
    sortByDistance(['b', 'c', 'a'], (x) => x, 'ghost', s),
    ['b', 'c', 'a'],
  );
});

test('only the default ("") segment counts', (t) => {
  const s = new StateStore();
  s.apply(1, { type: 'register', reg: { Node: 'a', Address: '10.0.0.1' } });
  s.apply(2, { type: 'register', reg: { Node: 'b', Address: '10.0.0.2' } });
  s.apply(3, {
    type: 'coordinate-batch-update',
    updates: [
      { Node: 'a', Segment: 'seg', Coord: at(0) },
      { Node: 'b', Segment: '', Coord: at(0.1) },
    ],
  });
  t.deepEqual(
    sortByDistance(['b', 'a'], (x) => x, 'a', s),
    ['b', 'a'],
  );
});
