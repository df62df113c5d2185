import test from 'ava';
import { raftSim } from './_raft-sim.js';

// The leader writes its entries in parallel with sending them; its copy counts toward a commit
// only once written. These seeds crash leaders between the two (with slow synced writes, so that
// followers often acknowledge before the leader's own write completes).
test('120 seeds crash leaders after they sent entries and before their own write of them completed, with no violation', (t) => {
  const r = raftSim(['--seeds', '120', '--first-seed', '1', '--leader-crash-before-fsync']);
  t.is(r.lastLine, '120 seeds, 0 violations', r.stdout.slice(-4000));
  const m = /leaders crashed after sending entries, before their own write of them completed: (\d+)/.exec(r.stdout);
  t.truthy(m, r.stdout.slice(-2000));
  t.true(Number(m![1]) >= 100, `only ${m![1]} such crashes`);
  t.is(r.status, 0);
});

test('a leader that counts its own unwritten entries toward a commit is reported', (t) => {
  const r = raftSim(['--seeds', '40', '--first-seed', '1', '--leader-crash-before-fsync', '--inject-bug', 'leader-acks-unwritten']);
  const m = /^40 seeds, (\d+) violations$/.exec(r.lastLine);
  t.truthy(m, r.lastLine);
  t.true(Number(m![1]) > 0, r.lastLine);
  t.regex(r.stdout, /durability: leader n\d+ committed index \d+ \(term \d+\) while only/);
  t.is(r.status, 1);
});
