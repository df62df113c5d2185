import test from 'ava';
import { resolveConfig } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';

/** Suspicions of healthy members raised while one member hears few of its UDP acks (no TCP fallback). */
function accusations(awarenessMaxMultiplier: number): { suspects: number; degradedScore: number } {
  const sim = new Simulation({ seed: 11, config: resolveConfig('lan', { awarenessMaxMultiplier, tcpPings: false }) });
  const names = Array.from({ length: 20 }, (_, i) => `m${i}`);
  sim.bootstrap(names);
  let suspects = 0;
  sim.onEvent((observer, ev) => {
    if (ev.type === 'suspect' && observer === 'm0') suspects++;
  });
  sim.runUntil(2000);
  sim.network.degrade('m0', 0.9);
  sim.runUntil(120_000);
  return { suspects, degradedScore: sim.core('m0').awarenessScore };
}

test('Lifeguard makes a member that cannot hear acks slow down and accuse fewer healthy members', (t) => {
  const withLifeguard = accusations(8);
  const without = accusations(1);
  t.log(`suspicions raised by the degraded member: ${withLifeguard.suspects} with Lifeguard, ${without.suspects} without`);
  t.true(withLifeguard.degradedScore > 0, 'the degraded member knows it is unhealthy');
  t.is(without.degradedScore, 0);
  t.true(without.suspects > 10);
  t.true(withLifeguard.suspects * 2 <= without.suspects);
});
