import test from 'ava';
import type { UserEvent } from '../src/index.js';
import {
  GossipUserEventTooLargeError,
  Keyring,
  LamportClock,
  SwimCore,
  UserEventLog,
  createPrng,
  decodePacket,
  decodeStream,
  encodePacket,
  encodeStream,
  generateKey,
  resolveConfig,
} from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { startMembers, waitFor } from './_cluster.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

test('the Lamport clock hands out increasing times and jumps past what it witnesses', (t) => {
  const c = new LamportClock();
  t.is(c.time, 0);
  t.is(c.increment(), 1);
  c.witness(0);
  t.is(c.time, 1, 'an older time does not move it');
  c.witness(41);
  t.is(c.time, 42, 'a newer one moves it just past');
});

test('the event log keeps an event once per (time, name, payload) and drops what is too old', (t) => {
  const log = new UserEventLog(8);
  t.true(log.record({ ltime: 3, name: 'deploy', payload: bytes('a') }));
  t.false(log.record({ ltime: 3, name: 'deploy', payload: bytes('a') }), 'the same event again is a duplicate');
  t.true(log.record({ ltime: 3, name: 'deploy', payload: bytes('b') }), 'another payload at the same time is another event');
  t.true(log.record({ ltime: 3, name: 'other', payload: bytes('a') }));
  t.is(log.clock.time, 4, 'recording witnesses the time');
  t.true(log.record({ ltime: 20, name: 'late', payload: bytes('') }));
  t.false(log.record({ ltime: 5, name: 'stale', payload: bytes('') }), 'older than the 8-slot window');
  t.true(log.record({ ltime: 14, name: 'in-window', payload: bytes('') }));
  t.is(log.dropped, 1);
  log.ignoreBefore(30);
  t.false(log.record({ ltime: 29, name: 'before-join', payload: bytes('') }));
  t.deepEqual(
    log.state().recent.map((r) => [r.ltime, r.events.map((e) => e.name)]),
    [
      [3, ['deploy', 'deploy', 'other']],
      [14, ['in-window']],
      [20, ['late']],
    ],
  );
});

function core(name: string, overrides: Record<string, number> = {}) {
  return new SwimCore({
    name,
    addr: '10.0.0.1',
    port: 7946,
    config: resolveConfig('lan', overrides),
    rng: createPrng(1),
    now: 0,
  });
}

const delivered = (c: SwimCore): UserEvent[] => c.drain().flatMap((o) => (o.kind === 'user-event' ? [o.event] : []));

test('firing takes the clock time, delivers locally once, and the clock moves on', (t) => {
  const c = core('a');
  t.is(c.userEvent('deploy', bytes('v1'), 0), 0);
  t.is(c.userEvent('deploy', bytes('v2'), 0), 1);
  t.is(c.eventTime, 2);
  t.deepEqual(
    delivered(c).map((e) => [e.ltime, e.name, Buffer.from(e.payload).toString()]),
    [
      [0, 'deploy', 'v1'],
      [1, 'deploy', 'v2'],
    ],
  );
  t.is(c.pendingBroadcasts, 3, 'our own alive plus the two events wait to be gossiped');
});

test("a user event over Serf's 512-byte limit is refused with Serf's words", (t) => {
  const c = core('a');
  t.notThrows(() => c.userEvent('e', new Uint8Array(511), 0), 'name plus payload of exactly 512 bytes is allowed');
  const err = t.throws(() => c.userEvent('e', new Uint8Array(512), 0), { instanceOf: GossipUserEventTooLargeError });
  t.is(err?.message, 'user event exceeds configured limit of 512 bytes before encoding');
  t.is(err?.code, 'GOSSIP_USER_EVENT_TOO_LARGE');
  const wide = core('b', { userEventSizeLimit: 9 * 1024 });
  const big = t.throws(() => wide.userEvent('e', new Uint8Array(2000), 0), { instanceOf: GossipUserEventTooLargeError });
  t.regex(big?.message ?? '', /^encoded user event exceeds sane limit of \d+ bytes after encoding$/);
  t.is(delivered(c).length, 1, 'refused events are neither delivered nor queued');
});

test('the wire codec carries user events in packets and push-pulls, and refuses a payload that is not base64', (t) => {
  const msg = { t: 'user-event', ltime: 7, name: 'n', payload: Buffer.from('hi').toString('base64'), cc: true } as const;
  t.deepEqual(decodePacket(encodePacket([msg])), [msg]);
  t.throws(() => decodePacket(Buffer.from(JSON.stringify([{ ...msg, payload: '***' }]))), { message: /base64/ });
  const pp = {
    t: 'push-pull',
    join: true,
    states: [],
    events: { ltime: 9, recent: [{ ltime: 7, events: [{ name: 'n', payload: 'aGk=' }] }] },
  } as const;
  t.deepEqual(decodeStream(encodeStream(pp)), pp);
  const flood = { ...pp, events: { ltime: 9, recent: [{ ltime: 7, events: Array.from({ length: 257 }, () => ({ name: 'n', payload: '' })) }] } };
  t.throws(() => decodeStream(encodeStream(flood)), { message: /more than 256 events at one time/ });
});

function simulated(n: number, seed: number, loss = 0) {
  const sim = new Simulation({ seed, config: resolveConfig('lan'), loss });
  sim.bootstrap(names(n));
  const seen = new Map<string, string[]>();
  sim.onUserEvent((observer, e) => {
    const list = seen.get(observer) ?? [];
    list.push(`${e.ltime}:${e.name}:${Buffer.from(e.payload).toString()}`);
    seen.set(observer, list);
  });
  return { sim, seen };
}

test('with 5% loss, every event reaches every member exactly once, and clocks move past every event', (t) => {
  const { sim, seen } = simulated(40, 11, 0.05);
  sim.runUntil(2000);
  const fired: string[] = [];
  for (const [i, from] of ['m0', 'm13', 'm27', 'm39', 'm0'].entries()) {
    const ltime = sim.userEvent(from, `ev${i}`, bytes(`p${i}`));
    fired.push(`${ltime}:ev${i}:p${i}`);
  }
  sim.runUntil(12_000);
  for (const name of sim.names()) {
    t.deepEqual([...(seen.get(name) ?? [])].sort(), [...fired].sort(), `${name} delivered each event once`);
    t.true(sim.core(name).eventTime > Math.max(...fired.map((f) => Number(f.split(':')[0]))));
  }
  const ltimes = fired.map((f) => Number(f.split(':')[0]));
  t.true((ltimes[4] ?? 0) > (ltimes[0] ?? 0), "a member's second event gets a later time than its first");
});

test('a member cut off while an event spread gets it from a push-pull after the partition heals', (t) => {
  const { sim, seen } = simulated(12, 5);
  sim.runUntil(2000);
  sim.network.partition([names(12).filter((n) => n !== 'm11'), ['m11']]);
  sim.userEvent('m0', 'while-apart', bytes('x'));
  sim.runUntil(10_000);
  t.is(seen.get('m11'), undefined, 'the event could not reach it');
  sim.network.heal();
  sim.runUntil(200_000, () => (seen.get('m11')?.length ?? 0) > 0);
  t.deepEqual(seen.get('m11'), ['0:while-apart:x']);
  t.true(
    names(11).every((n) => seen.get(n)?.length === 1),
    'nobody else got it twice',
  );
});

test('a join that ignores old events skips what was fired before it; a plain join replays them', (t) => {
  const { sim, seen } = simulated(6, 9);
  sim.runUntil(2000);
  sim.userEvent('m1', 'before', bytes('1'));
  sim.runUntil(6000);
  sim.addMember('late-ignoring');
  sim.join('late-ignoring', 'm0', { ignoreOld: true });
  sim.addMember('late-plain');
  sim.join('late-plain', 'm2');
  sim.runUntil(9000);
  t.is(seen.get('late-ignoring'), undefined);
  t.deepEqual(seen.get('late-plain'), ['0:before:1']);
  sim.userEvent('m3', 'after', bytes('2'));
  sim.runUntil(15_000);
  t.deepEqual(seen.get('late-ignoring'), ['1:after:2'], 'events after the join arrive');
});

test('real members on loopback, encrypted, each emit a fired event once', async (t) => {
  const key = generateKey();
  const members = await startMembers(t, 4, () => ({ keyring: new Keyring([key]) }), 'ue');
  for (const m of members.slice(1)) await m.join([`127.0.0.1:${members[0]?.port}`], { ignoreOld: true });
  await waitFor('convergence', () => members.every((m) => m.members().length === 4), 10_000);
  const got = new Map<string, UserEvent[]>();
  for (const m of members) m.on('user-event', (e) => got.set(m.name, [...(got.get(m.name) ?? []), e]));
  const ltime = members[2]?.userEvent('restart', bytes('web')) ?? -1;
  await waitFor('every member to get the event', () => members.every((m) => got.get(m.name)?.length === 1), 10_000);
  await new Promise((r) => setTimeout(r, 1500));
  for (const m of members) {
    t.deepEqual(
      got.get(m.name)?.map((e) => [e.ltime, e.name, Buffer.from(e.payload).toString()]),
      [[ltime, 'restart', 'web']],
      `${m.name} got it exactly once, though every member re-broadcast it`,
    );
  }
});
