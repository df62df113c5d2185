import test from 'ava';
import { raftSim } from './_raft-sim.js';

// CI runs 500 seeds, split over four files so that ava runs them in parallel.
test('125 simulated clusters from seeds 126..250 show no safety or linearizability violation', (t) => {
  const r = raftSim(['--seeds', '125', '--first-seed', '126']);
  t.is(r.lastLine, '125 seeds, 0 violations', r.stdout.slice(-4000));
  t.is(r.status, 0);
});
