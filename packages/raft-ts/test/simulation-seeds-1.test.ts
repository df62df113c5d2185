import test from 'ava';
import { raftSim } from './_raft-sim.js';

// CI runs 1,000 seeds (at least 500 are required), split over four files so that ava runs them in parallel.
test('250 simulated clusters from seeds 1..250 show no safety, linearizability or liveness violation', (t) => {
  const r = raftSim(['--seeds', '250', '--first-seed', '1']);
  t.is(r.lastLine, '250 seeds, 0 violations', r.stdout.slice(-4000));
  t.is(r.status, 0);
});
