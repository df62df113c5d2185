import test from 'ava';
import type { Coordinate } from '../src/index.js';
import { coordinateProblem, decodePacket, encodePacket, newCoordinate } from '../src/index.js';
import { endpointOf, makeCore } from './_helpers.js';
import { converged, startMembers, waitFor } from './_cluster.js';

function moved(c: Coordinate | undefined): boolean {
  return c !== undefined && c.Error < 1.5;
}

test('an ack carries a coordinate when it has one and decodes without one', (t) => {
  const coord = { ...newCoordinate(), Vec: [0.001, 0, 0, 0, 0, 0, 0, 0.002] };
  t.deepEqual(decodePacket(encodePacket([{ t: 'ack', seq: 4, coord }])), [{ t: 'ack', seq: 4, coord }]);
  t.deepEqual(decodePacket(Buffer.from('[{"t":"ack","seq":4}]')), [{ t: 'ack', seq: 4 }]);
  t.deepEqual(decodePacket(Buffer.from('[{"t":"ack","seq":4,"coord":{"Vec":[1],"Error":"x"}}]')), [{ t: 'ack', seq: 4 }], 'a malformed coordinate is dropped, the ack kept');
});

test('the core answers a ping with its coordinate and learns from the ack to its own direct probe', (t) => {
  const tc = makeCore({ name: 'a', peers: ['b'] });
  tc.step('b', [{ t: 'ping', seq: 9, node: 'a' }]);
  const ack = tc
    .packets()
    .flatMap((p) => p.msgs)
    .find((m) => m.t === 'ack');
  t.is(ack?.t === 'ack' ? coordinateProblem(ack.coord) : 'no ack', undefined);
  tc.clear();

  const ping = tc.untilPing();
  const peer = { ...newCoordinate(), Vec: [0.02, 0, 0, 0, 0, 0, 0, 0], Error: 0.2 };
  tc.advance(tc.now() + 30);
  tc.step('b', [{ t: 'ack', seq: ping.seq, coord: peer }]);
  t.deepEqual(tc.core.memberCoordinate('b'), peer);
  t.true(tc.core.coordinate.Error < 1.5, 'our own coordinate moved');
  t.deepEqual(tc.core.memberCoordinate('a'), tc.core.coordinate);
});

test('an RTT over 10 s is refused and counted, and an ack without a coordinate changes nothing', (t) => {
  const tc = makeCore({ name: 'a', peers: ['b'] });
  let ping = tc.untilPing();
  tc.step('b', [{ t: 'ack', seq: ping.seq }]);
  t.is(tc.core.memberCoordinate('b'), undefined);
  t.deepEqual(tc.core.coordinate, newCoordinate());
  ping = tc.untilPing();
  // Skip the probe timers: deliver the ack as if it arrived 11 s after the ping.
  tc.core.step(endpointOf('b'), [{ t: 'ack', seq: ping.seq, coord: newCoordinate() }], tc.now() + 11_000);
  t.is(tc.core.stats.coordinateRejects, 1);
  t.is(tc.core.memberCoordinate('b'), undefined);
});

test("loopback members measure each other and every one knows the others' coordinates", async (t) => {
  const members = await startMembers(t, 4, () => ({}), 'coord-');
  const seed = `127.0.0.1:${members[0]!.port}`;
  for (const m of members.slice(1)) await m.join([seed]);
  await waitFor('converged', () => converged(members), 20_000);
  const knowsAll = (): boolean => members.every((o) => moved(o.coordinate()) && members.every((x) => moved(o.memberCoordinate(x.name))));
  const ms = await waitFor("every member has a coordinate and knows the others'", knowsAll, 30_000, () =>
    members
      .map(
        (o) =>
          `${o.name}: ${members
            .filter((x) => !moved(o.memberCoordinate(x.name)))
            .map((x) => x.name)
            .join(',')}`,
      )
      .join('; '),
  );
  t.log(`all coordinates known after ${ms} ms`);
  for (const o of members) {
    t.is(coordinateProblem(o.coordinate()), undefined);
    t.deepEqual(o.memberCoordinate(o.name), o.coordinate());
  }
  t.is(members[0]!.memberCoordinate('nobody'), undefined);
});
