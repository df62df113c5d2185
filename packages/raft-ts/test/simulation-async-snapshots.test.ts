import test from 'ava';
import { raftSim } from './_raft-sim.js';

// Snapshots captured at once and written over simulated time beside the log: nodes are crashed
// while theirs is being written (and restarted from their disk), and leaders send followers the
// stored snapshot while a newer one is being written.
test('200 seeds with asynchronous snapshots, crashes while they are written and snapshots sent meanwhile show no violation', (t) => {
  const r = raftSim(['--seeds', '200', '--first-seed', '1', '--async-snapshots']);
  t.is(r.lastLine, '200 seeds, 0 violations', r.stdout.slice(-4000));
  const crashed = /nodes crashed while staging a snapshot: (\d+)/.exec(r.stdout);
  const sent = /snapshots sent to followers while the sender's own was being staged: (\d+)/.exec(r.stdout);
  t.truthy(crashed, r.stdout.slice(-2000));
  t.truthy(sent, r.stdout.slice(-2000));
  t.true(Number(crashed![1]) >= 200, `only ${crashed![1]} crashes while staging`);
  t.true(Number(sent![1]) >= 10, `only ${sent![1]} snapshots sent while one was staged`);
  t.is(r.status, 0);
});

test('with asynchronous snapshots an injected bug is still reported', (t) => {
  const r = raftSim(['--seeds', '40', '--first-seed', '1', '--async-snapshots', '--inject-bug', 'apply-uncommitted']);
  const m = /^40 seeds, (\d+) violations$/.exec(r.lastLine);
  t.truthy(m, r.lastLine);
  t.true(Number(m![1]) > 0, r.lastLine);
  t.is(r.status, 1);
});
