import test from 'ava';
import type { MemberEvent } from '../src/index.js';
import { resolveConfig } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

function cluster(n: number, seed: number, loss = 0) {
  const sim = new Simulation({ seed, config: resolveConfig('lan'), loss });
  sim.bootstrap(names(n));
  const events: Array<{ observer: string; ev: MemberEvent }> = [];
  sim.onEvent((observer, ev) => events.push({ observer, ev }));
  return { sim, events };
}

const statusEverywhere = (sim: Simulation, name: string) =>
  new Set(
    sim
      .liveNames()
      .filter((o) => o !== name)
      .map((o) => sim.core(o).member(name)?.status),
  );

test('a graceful leave is seen as left by everyone, never as failed', (t) => {
  const { sim, events } = cluster(30, 3);
  sim.runUntil(3000);
  sim.leave('m7');
  sim.runUntil(20_000);
  t.deepEqual(statusEverywhere(sim, 'm7'), new Set(['left']));
  t.false(events.some((e) => e.ev.type === 'failed'));
  t.true(events.filter((e) => e.ev.type === 'leave' && e.ev.member.name === 'm7').length >= 29);
});

test('a member paused shorter than the suspicion timeout refutes and stays alive', (t) => {
  const { sim, events } = cluster(30, 4);
  sim.runUntil(2000);
  sim.pause('m3');
  sim.runUntil(4500);
  sim.resume('m3');
  sim.runUntil(40_000);
  t.deepEqual(statusEverywhere(sim, 'm3'), new Set(['alive']));
  t.false(events.some((e) => e.ev.type === 'failed'));
  t.true(sim.core('m3').self.incarnation > 1, 'it had to refute a suspicion');
});

test('a member paused past the suspicion timeout is declared failed and rejoins when it resumes', (t) => {
  const { sim, events } = cluster(20, 5);
  sim.runUntil(1000);
  sim.pause('m2');
  sim.runUntil(60_000);
  t.deepEqual(statusEverywhere(sim, 'm2'), new Set(['failed']));
  sim.resume('m2');
  // Its view says the others are failed or suspect now; push-pull and refutation bring it back.
  sim.runUntil(200_000);
  t.deepEqual(statusEverywhere(sim, 'm2'), new Set(['alive']));
  t.true(events.some((e) => e.ev.type === 'join' && e.ev.member.name === 'm2'));
});

test('a healed partition converges back to everyone alive', (t) => {
  const { sim } = cluster(20, 6);
  const all = names(20);
  sim.runUntil(1000);
  sim.network.partition([all.slice(0, 10), all.slice(10)]);
  sim.runUntil(90_000);
  t.is(sim.core('m0').member('m15')?.status, 'failed');
  t.is(sim.core('m15').member('m0')?.status, 'failed');
  sim.network.heal();
  sim.runUntil(400_000);
  for (const o of all)
    t.deepEqual(
      new Set(
        sim
          .core(o)
          .members()
          .map((m) => m.status),
      ),
      new Set(['alive']),
      o,
    );
});

test('a killed member restarted under the same name rejoins above its old incarnation', (t) => {
  const { sim } = cluster(15, 8);
  sim.runUntil(1000);
  sim.kill('m4');
  sim.runUntil(60_000);
  t.deepEqual(statusEverywhere(sim, 'm4'), new Set(['failed']));
  const oldInc = sim.core('m0').member('m4')?.incarnation ?? 0;
  // A fresh process under the same name, at a new address, starting at incarnation 1.
  sim.restart('m4', 'm0');
  sim.runUntil(70_000);
  t.deepEqual(statusEverywhere(sim, 'm4'), new Set(['alive']));
  t.true(sim.core('m4').self.incarnation > oldInc);
  t.true(sim.core('m9').member('m4')!.addr !== '10.0.0.4', 'the new address replaced the old one');
});
