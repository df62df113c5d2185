import test from 'ava';
import type { PacketMessage } from '../src/index.js';
import { makeCore, nameAt, stateOf } from './_helpers.js';

function pings(msgs: readonly PacketMessage[]) {
  return msgs.filter((m): m is Extract<PacketMessage, { t: 'ping' }> => m.t === 'ping');
}

test('each round probes every live member exactly once, in a reshuffled order, skipping failed and left ones', (t) => {
  const peers = ['n1', 'n2', 'n3', 'n4', 'n5', stateOf('n6', { status: 'failed' }), stateOf('n7', { status: 'left' })];
  const tc = makeCore({ peers, seed: 7 });
  const targets: string[] = [];
  // Answer every ping at once so each probe succeeds.
  for (let step = 1; step <= 15; step++) {
    tc.advance(step * 1000);
    for (const p of tc.packets()) {
      for (const ping of pings(p.msgs)) {
        targets.push(ping.node);
        tc.step(ping.node, [{ t: 'ack', seq: ping.seq }]);
      }
    }
    tc.clear();
  }
  t.true(targets.length >= 14);
  const rounds = [targets.slice(0, 5), targets.slice(5, 10), targets.slice(10, 15)];
  for (const r of rounds) t.deepEqual([...r].sort(), ['n1', 'n2', 'n3', 'n4', 'n5']);
  t.false(targets.includes('n6'));
  t.false(targets.includes('n7'));
  t.notDeepEqual(rounds[0], rounds[1], 'the order is reshuffled between rounds (for this seed)');
  t.is(tc.core.stats.probeFailures, 0);
});

test('an ack within the probe timeout ends the probe with no indirect pings and no suspicion', (t) => {
  const tc = makeCore();
  const ping = tc.untilPing();
  tc.step(ping.node, [{ t: 'ack', seq: ping.seq }]);
  tc.clear();
  tc.advance(tc.now() + 900);
  t.false(tc.out.some((o) => o.kind === 'packet' && o.msgs.some((m) => m.t === 'indirect-ping')));
  t.true(tc.core.members().every((m) => m.status === 'alive'));
});

test('a missing ack triggers indirect pings through k other live members and a TCP fallback ping', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', 'n3', 'n4', 'n5'] });
  const ping = tc.untilPing();
  tc.clear();
  tc.advance(tc.now() + 500);
  const indirect = tc.packets().filter((p) => p.msgs.some((m) => m.t === 'indirect-ping'));
  t.is(indirect.length, 3, 'IndirectChecks = 3');
  const relays = indirect.map((p) => nameAt(p.to));
  t.is(new Set(relays).size, 3);
  t.false(relays.includes(ping.node));
  for (const p of indirect) {
    const req = p.msgs.find((m) => m.t === 'indirect-ping');
    t.like(req, { seq: ping.seq, node: ping.node, nack: true });
  }
  const fallback = tc.out.find((o) => o.kind === 'stream-ping');
  t.like(fallback, { kind: 'stream-ping', node: ping.node, seq: ping.seq });
});

test('an ack relayed by an indirect probe keeps the target alive', (t) => {
  const tc = makeCore();
  const ping = tc.untilPing();
  tc.advance(tc.now() + 600);
  const relay = tc.packets().find((p) => p.msgs.some((m) => m.t === 'indirect-ping'));
  if (!relay) return t.fail('no indirect ping');
  tc.step(nameAt(relay.to), [{ t: 'ack', seq: ping.seq }]);
  // Up to just before the next probe starts.
  tc.advance(tc.now() + 350);
  t.is(tc.core.member(ping.node)?.status, 'alive');
  t.is(tc.core.awarenessScore, 0);
});

test('no ack by the end of the interval makes the target suspect and missing nacks raise the awareness score', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', 'n3', 'n4', 'n5'] });
  const ping = tc.untilPing();
  const started = tc.now();
  tc.advance(started + 600);
  const relays = tc.packets().filter((p) => p.msgs.some((m) => m.t === 'indirect-ping'));
  // One relay answers with a nack: it could not reach the target either.
  tc.step(nameAt(relays[0]!.to), [{ t: 'nack', seq: ping.seq }]);
  tc.advance(started + 1000);
  t.is(tc.core.member(ping.node)?.status, 'suspect');
  t.is(tc.core.awarenessScore, 2, 'three nacks expected, one received');
  const events = tc.out.filter((o) => o.kind === 'event').map((o) => (o.kind === 'event' ? o.event.type : ''));
  t.deepEqual(events, ['suspect']);
});

test('a successful TCP fallback ping prevents suspicion', (t) => {
  const tc = makeCore();
  const ping = tc.untilPing();
  tc.advance(tc.now() + 600);
  tc.core.streamPingResult(ping.seq, true, tc.now());
  tc.advance(tc.now() + 500);
  t.is(tc.core.member(ping.node)?.status, 'alive');
});

test('a degraded awareness score stretches the probe interval', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'] });
  // Let three probes fail with no nacks at all.
  tc.advance(1000);
  const times: number[] = [];
  for (let ms = 1000; ms < 12_000; ms += 50) {
    tc.advance(ms);
    if (tc.packets().some((p) => pings(p.msgs).length > 0)) times.push(ms);
    tc.clear();
  }
  t.true(tc.core.awarenessScore >= 3);
  const gaps = times.slice(1).map((x, i) => x - (times[i] ?? 0));
  t.true(
    gaps.some((g) => g >= 3000),
    `gaps grow with the score: ${gaps.join(',')}`,
  );
});

test('a member relays an indirect ping and forwards the ack, or answers with a nack on timeout', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'indirect-ping', seq: 42, node: 'n2', addr: '10.0.0.3', port: 7946, nack: true }]);
  const fwd = tc.packets().find((p) => p.msgs.some((m) => m.t === 'ping'));
  if (!fwd) return t.fail('no forwarded ping');
  t.is(nameAt(fwd.to), 'n2');
  const relayPing = pings(fwd.msgs)[0]!;
  t.is(relayPing.node, 'n2');
  tc.clear();
  tc.step('n2', [{ t: 'ack', seq: relayPing.seq }]);
  const back = tc.packets()[0];
  t.is(nameAt(back!.to), 'n1');
  t.like(back!.msgs[0], { t: 'ack', seq: 42 });

  tc.clear();
  tc.step('n1', [{ t: 'indirect-ping', seq: 43, node: 'n3', addr: '10.0.0.4', port: 7946, nack: true }]);
  tc.clear();
  tc.advance(tc.now() + 500);
  const nack = tc.packets().find((p) => p.msgs.some((m) => m.t === 'nack'));
  t.truthy(nack);
  t.like(
    nack!.msgs.find((m) => m.t === 'nack'),
    { t: 'nack', seq: 43 },
  );
});

test('a ping for another name is ignored and a ping for us is acked', (t) => {
  const tc = makeCore();
  tc.step('n1', [{ t: 'ping', seq: 5, node: 'someone-else' }]);
  t.is(tc.packets().length, 0);
  tc.step('n1', [{ t: 'ping', seq: 6, node: 'n0' }]);
  t.like(tc.packets()[0]?.msgs[0], { t: 'ack', seq: 6 });
});

test('a probe of a suspect member carries the suspicion so it can refute at once', (t) => {
  const tc = makeCore({ peers: [stateOf('n1')] });
  tc.step('n2', [{ t: 'suspect', node: 'n1', inc: 1, from: 'n2' }]);
  tc.clear();
  tc.advance(2000);
  const probe = tc.packets().find((p) => pings(p.msgs).length > 0);
  t.truthy(probe);
  t.true(probe!.msgs.some((m) => m.t === 'suspect' && m.node === 'n1'));
});

test('a degraded awareness score also stretches the wait for a direct ack', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'] });
  // Two refutations: score 2, so the ack wait is 3 × 500 ms.
  tc.step('n1', [{ t: 'suspect', node: 'n0', inc: 1, from: 'n1' }]);
  tc.step('n1', [{ t: 'suspect', node: 'n0', inc: 2, from: 'n1' }]);
  t.is(tc.core.awarenessScore, 2);
  const ping = tc.untilPing();
  const started = tc.now();
  tc.clear();
  tc.advance(started + 1400);
  t.false(
    tc.packets().some((p) => p.msgs.some((m) => m.t === 'indirect-ping')),
    'no indirect probe before 1.5 s',
  );
  tc.advance(started + 1550);
  const req = tc
    .packets()
    .flatMap((p) => p.msgs)
    .find((m) => m.t === 'indirect-ping');
  t.like(req, { t: 'indirect-ping', seq: ping.seq });
});

test('a tick that comes late still gives indirect probes their window before suspecting', (t) => {
  const tc = makeCore({ peers: ['n1', 'n2', 'n3', 'n4', 'n5'] });
  const ping = tc.untilPing();
  const started = tc.now();
  tc.clear();
  // The driver was starved: one tick, well past both the ack deadline and the interval end.
  tc.core.tick(started + 1500);
  tc.out.push(...tc.core.drain());
  t.true(tc.packets().some((p) => p.msgs.some((m) => m.t === 'indirect-ping')));
  t.is(tc.core.member(ping.node)?.status, 'alive', 'not suspected in the same breath');
  tc.core.tick(started + 2100);
  t.is(tc.core.member(ping.node)?.status, 'suspect');
});
