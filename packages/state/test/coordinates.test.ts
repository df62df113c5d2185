import test from 'ava';
import type { CoordinateEntry, NetworkCoordinate } from '../src/index.js';
import { StateStore } from '../src/index.js';
import { Harness, watchCount } from './_helpers.js';

const coord = (x: number, over: Partial<NetworkCoordinate> = {}): NetworkCoordinate => ({
  Vec: [x, 0, 0, 0, 0, 0, 0, 0],
  Error: 0.5,
  Adjustment: 0,
  Height: 1e-5,
  ...over,
});

const entry = (node: string, x: number, segment = ''): CoordinateEntry => ({ Node: node, Segment: segment, Coord: coord(x) });

function withNodes(): Harness {
  const h = new Harness();
  h.agentNode('n1');
  h.agentNode('n2');
  return h;
}

test('a batch update stores coordinates of registered nodes and skips unknown nodes and invalid numbers', (t) => {
  const h = withNodes();
  const r = h.apply({
    type: 'coordinate-batch-update',
    updates: [entry('n2', 0.02), entry('ghost', 0.1), { Node: 'n1', Segment: '', Coord: coord(Number.NaN) }, entry('n1', 0.01)],
  });
  t.is(r.value, 2);
  const all = h.store.coordinates();
  t.deepEqual(all.value, [entry('n1', 0.01), entry('n2', 0.02)]);
  t.is(all.index, h.index);
  t.deepEqual(h.store.nodeCoordinates('n2').value, [entry('n2', 0.02)]);
  t.deepEqual(h.store.nodeCoordinates('ghost').value, []);
});

test('a later update replaces the coordinate of the same node and segment; segments are kept apart', (t) => {
  const h = withNodes();
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.01)] });
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.03), entry('n1', 0.05, 'alpha')] });
  t.deepEqual(h.store.nodeCoordinates('n1').value, [entry('n1', 0.03), entry('n1', 0.05, 'alpha')]);
});

test('the coordinates index moves on every batch, even one that stored nothing, like Consul', (t) => {
  const h = withNodes();
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.01)] });
  const first = h.store.coordinates().index;
  h.apply({ type: 'coordinate-batch-update', updates: [entry('ghost', 0.01)] });
  t.true(h.store.coordinates().index > first);
  t.deepEqual(h.store.coordinates().value, [entry('n1', 0.01)]);
});

test('deregistering a node removes its coordinates and wakes coordinate watchers', (t) => {
  const h = withNodes();
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.01), entry('n2', 0.02)] });
  const w = watchCount(h.store, h.store.coordinates().topics);
  h.apply({ type: 'deregister', dereg: { Node: 'n1' } });
  t.is(w.fired(), 1);
  t.deepEqual(h.store.coordinates().value, [entry('n2', 0.02)]);
  t.is(h.store.coordinates().index, h.index);
  h.node('n1');
  t.deepEqual(h.store.nodeCoordinates('n1').value, [], 'a re-registered node starts without a coordinate');
});

test('an update wakes coordinate watchers and not KV or catalog watchers', (t) => {
  const h = withNodes();
  const coords = watchCount(h.store, h.store.nodeCoordinates('n1').topics);
  const nodes = watchCount(h.store, h.store.nodes().topics);
  const kv = watchCount(h.store, h.store.kvList('').topics);
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.01)] });
  t.is(coords.fired(), 1);
  t.is(nodes.fired(), 0);
  t.is(kv.fired(), 0);
  nodes.cancel();
  kv.cancel();
});

test('coordinates survive snapshot and restore, and a snapshot without them restores empty', (t) => {
  const h = withNodes();
  h.apply({ type: 'coordinate-batch-update', updates: [entry('n1', 0.01), entry('n2', 0.02, 's')] });
  const snap = h.store.snapshot();
  t.deepEqual(snap.coordinates, [entry('n1', 0.01), entry('n2', 0.02, 's')]);
  const fresh = new StateStore();
  fresh.restore(JSON.parse(h.store.snapshotJson()));
  t.deepEqual(fresh.coordinates(), h.store.coordinates());
  const { coordinates: _dropped, ...older } = snap;
  const old = new StateStore();
  old.restore(older);
  t.deepEqual(old.coordinates().value, []);
  t.deepEqual(old.nodes().value, h.store.nodes().value);
});
