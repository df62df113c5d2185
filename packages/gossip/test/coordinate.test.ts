import test from 'ava';
import type { Coordinate } from '../src/index.js';
import { GossipCoordinateError, LatencyFilter, MAX_RTT_SECONDS, VivaldiClient, coordinateProblem, createPrng, distance, newCoordinate } from '../src/index.js';

/** True RTTs (seconds) of `n` nodes on a square grid with `spacing` seconds between neighbours. */
function gridRtts(n: number, spacing: number): number[][] {
  const side = Math.ceil(Math.sqrt(n));
  const pos = Array.from({ length: n }, (_, i) => [Math.floor(i / side) * spacing, (i % side) * spacing] as const);
  return pos.map(([ax, ay]) => pos.map(([bx, by]) => Math.hypot(ax - bx, ay - by)));
}

/** Each cycle every node observes one random peer at the true RTT; returns the clients. */
function simulate(truth: number[][], cycles: number, seed: number): VivaldiClient[] {
  const rng = createPrng(seed);
  const clients = truth.map((_, i) => new VivaldiClient(createPrng(seed + i + 1)));
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i < clients.length; i++) {
      let j = rng.int(clients.length - 1);
      if (j >= i) j += 1;
      const rtt = (truth[i] as number[])[j] as number;
      (clients[i] as VivaldiClient).update(`n${j}`, (clients[j] as VivaldiClient).coordinate, rtt);
    }
  }
  return clients;
}

/** Mean and worst relative error of the estimated RTT over all pairs. */
function evaluate(clients: VivaldiClient[], truth: number[][]): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let pairs = 0;
  for (let i = 0; i < clients.length; i++) {
    for (let j = i + 1; j < clients.length; j++) {
      const est = distance((clients[i] as VivaldiClient).coordinate, (clients[j] as VivaldiClient).coordinate);
      const actual = (truth[i] as number[])[j] as number;
      const err = Math.abs(est - actual) / actual;
      sum += err;
      max = Math.max(max, err);
      pairs += 1;
    }
  }
  return { mean: sum / pairs, max };
}

test('a new coordinate is the origin with maximal error, in Consul JSON shape', (t) => {
  const c = newCoordinate();
  t.deepEqual(JSON.parse(JSON.stringify(c)), { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 });
});

test('twenty-five nodes on a 10 ms grid converge to within 1% mean relative error', (t) => {
  const truth = gridRtts(25, 0.01);
  const before = evaluate(simulate(truth, 0, 7), truth);
  const clients = simulate(truth, 1000, 7);
  const after = evaluate(clients, truth);
  t.log(`mean relative error ${before.mean.toFixed(3)} -> ${after.mean.toFixed(3)}, worst ${after.max.toFixed(3)}`);
  t.true(before.mean > 0.9, 'all nodes start at the origin');
  t.true(after.mean < 0.01, `mean relative error ${after.mean}`);
  t.true(after.max < 0.05, `worst relative error ${after.max}`);
  for (const c of clients) t.true(c.coordinate.Error < 0.5, `confidence grew: error ${c.coordinate.Error}`);
});

test('the same seed gives the same coordinates', (t) => {
  const truth = gridRtts(9, 0.02);
  t.deepEqual(
    simulate(truth, 50, 3).map((c) => c.coordinate),
    simulate(truth, 50, 3).map((c) => c.coordinate),
  );
});

test('the latency filter answers the median of the last three samples per peer', (t) => {
  const f = new LatencyFilter(3);
  t.is(f.add('a', 0.05), 0.05);
  t.is(f.add('a', 0.01), 0.05); // [0.05, 0.01] -> upper median
  t.is(f.add('a', 0.5), 0.05); // [0.05, 0.01, 0.5]
  t.is(f.add('a', 0.02), 0.02); // [0.01, 0.5, 0.02]
  t.is(f.add('b', 0.3), 0.3, 'peers are filtered apart');
  f.forget('a');
  t.is(f.add('a', 0.7), 0.7, 'a forgotten peer starts over');
});

test('one outlier RTT does not move the coordinate as the raw sample would', (t) => {
  const other: Coordinate = { ...newCoordinate(), Vec: [0.01, 0, 0, 0, 0, 0, 0, 0] };
  const filtered = new VivaldiClient(createPrng(1));
  for (let i = 0; i < 5; i++) filtered.update('p', other, 0.01);
  const steady = filtered.distanceTo(other);
  filtered.update('p', other, 5);
  const unfiltered = new VivaldiClient(createPrng(1), { ...filtered.config, latencyFilterSize: 1 });
  for (let i = 0; i < 5; i++) unfiltered.update('p', other, 0.01);
  unfiltered.update('p', other, 5);
  t.true(Math.abs(filtered.distanceTo(other) - steady) < Math.abs(unfiltered.distanceTo(other) - steady) / 10);
});

test('an RTT outside (0, 10 s] is refused and leaves the coordinate alone', (t) => {
  const client = new VivaldiClient(createPrng(2));
  const before = client.coordinate;
  for (const rtt of [0, -0.001, MAX_RTT_SECONDS + 0.001, Number.NaN, Number.POSITIVE_INFINITY]) {
    const err = t.throws(() => client.update('p', newCoordinate(), rtt), { instanceOf: GossipCoordinateError });
    t.is(err?.code, 'GOSSIP_COORDINATE');
  }
  t.deepEqual(client.coordinate, before);
  t.notThrows(() => client.update('p', newCoordinate(), MAX_RTT_SECONDS));
});

test('invalid coordinates are refused with a reason', (t) => {
  const client = new VivaldiClient(createPrng(3));
  const ok = newCoordinate();
  const bad: Array<[unknown, RegExp]> = [
    [{ ...ok, Vec: [1, 2, 3] }, /dimensionality 3 is not 8/],
    [{ ...ok, Vec: [Number.NaN, 0, 0, 0, 0, 0, 0, 0] }, /finite/],
    [{ ...ok, Error: Number.NaN }, /Error/],
    [{ ...ok, Height: Number.POSITIVE_INFINITY }, /Height/],
    [{ ...ok, Adjustment: '0' }, /Adjustment/],
    [{ Vec: ok.Vec, Error: 1, Height: 1 }, /Adjustment/],
    [null, /object/],
    [[1, 2], /object/],
  ];
  for (const [value, reason] of bad) {
    t.regex(coordinateProblem(value) ?? '', reason);
    t.throws(() => client.update('p', value as Coordinate, 0.01), { instanceOf: GossipCoordinateError, message: reason });
  }
  t.is(coordinateProblem(ok), undefined);
  t.deepEqual(client.coordinate, newCoordinate());
});

test('distance is symmetric, adds both heights, and uses the adjustments only while the sum stays positive', (t) => {
  const a: Coordinate = { Vec: [0.003, 0.004, 0, 0, 0, 0, 0, 0], Error: 1, Adjustment: 0.001, Height: 0.0005 };
  const b: Coordinate = { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1, Adjustment: 0.002, Height: 0.0015 };
  t.true(Math.abs(distance(a, b) - distance(b, a)) < 1e-15);
  t.true(Math.abs(distance(a, b) - (0.005 + 0.002 + 0.003)) < 1e-12);
  const negative = { ...b, Adjustment: -1 };
  t.true(Math.abs(distance(a, negative) - 0.007) < 1e-12, 'a negative sum falls back to the raw distance');
  const clients = simulate(gridRtts(9, 0.02), 200, 11).map((c) => c.coordinate);
  for (const x of clients) for (const y of clients) t.true(Math.abs(distance(x, y) - distance(y, x)) < 1e-15);
});
