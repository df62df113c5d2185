import test from 'ava';
import { raftSim } from './_raft-sim.js';

const bugs = ['commit-without-quorum', 'vote-twice-in-term', 'apply-uncommitted', 'read-without-readindex'];

for (const bug of bugs) {
  test(`the checker reports violations when the rule "${bug}" is broken`, (t) => {
    const r = raftSim(['--seeds', '40', '--first-seed', '1', '--inject-bug', bug]);
    const m = /^40 seeds, (\d+) violations$/.exec(r.lastLine);
    t.truthy(m, r.lastLine);
    t.true(Number(m![1]) > 0, r.lastLine);
    t.is(r.status, 1);
  });
}

test('a seed replays identically, and --verbose prints a readable trace', (t) => {
  const a = raftSim(['--seeds', '1', '--first-seed', '42', '--verbose']);
  const b = raftSim(['--seeds', '1', '--first-seed', '42', '--verbose']);
  t.is(a.status, 0);
  t.is(a.stdout.replace(/ in [\d.]+s/g, ''), b.stdout.replace(/ in [\d.]+s/g, ''));
  t.regex(a.stdout, /leader\s+term=\d+/);
  t.regex(a.stdout, /client \d+ (read|write|cas)/);
  t.is(a.lastLine, '1 seeds, 0 violations');
});

test('a failing seed prints a replay command', (t) => {
  const r = raftSim(['--seeds', '3', '--first-seed', '1', '--inject-bug', 'apply-uncommitted']);
  t.regex(r.stdout, /replay: raft-sim --seeds 1 --first-seed \d+ --inject-bug apply-uncommitted --verbose/);
});

test('bad arguments exit with status 2 and usage', (t) => {
  const r = raftSim(['--inject-bug', 'no-such-bug']);
  t.is(r.status, 2);
});
