/**
 * A server's write that cannot commit is rejected with an "outcome unknown" error: at its
 * timeout, or at the end of the grace period after this server stopped leading.
 */
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import { pino } from 'pino';
import { LeadershipLostError, ProposeTimeoutError, RaftLog } from '../src/cluster/raft-log.js';
import { waitFor } from './_local-helpers.js';

const data = () => new TextEncoder().encode('{"type":"tombstone-reap","upTo":0}');

/** A single voter in memory that leads, then adds a voter that never answers: no later write commits. */
async function strandedLeader(t: { teardown(fn: () => Promise<void>): void }, o: { proposeTimeoutMs: number; leadershipLostGraceMs: number }): Promise<RaftLog<number>> {
  const log = new RaftLog<number>({ id: 'n1', dir: undefined, rpcServer: new grpc.Server(), maxMessageBytes: 1 << 20, logger: pino({ level: 'silent' }), tickMs: 20, ...o });
  t.teardown(() => log.close());
  let applied = 0;
  await log.open({ apply: () => ++applied, snapshot: () => new Uint8Array(0), restore: () => {} });
  await log.start(['n1']);
  await waitFor(
    () => {
      if (!log.isLeader()) log.node?.campaign();
      return log.isLeader();
    },
    10_000,
    20,
  );
  const first = await log.propose(data());
  if (first.result !== 1) throw new Error('the single voter did not apply');
  await log.node?.addVoter('n2');
  return log;
}

test('a write that cannot commit is rejected at its timeout with its outcome unknown', async (t) => {
  const log = await strandedLeader(t, { proposeTimeoutMs: 300, leadershipLostGraceMs: 60_000 });
  const started = Date.now();
  const err = await t.throwsAsync(log.propose(data()));
  t.true(err instanceof ProposeTimeoutError, String(err));
  t.regex(err?.message ?? '', /outcome is unknown/);
  t.true(Date.now() - started >= 250);
});

test('a write in flight when this server stops leading is rejected after the grace period', async (t) => {
  const log = await strandedLeader(t, { proposeTimeoutMs: 60_000, leadershipLostGraceMs: 200 });
  const pending = log.propose(data());
  // Without a quorum to hear from, the leader steps down after an election timeout (check quorum).
  const err = await t.throwsAsync(pending);
  t.true(err instanceof LeadershipLostError, String(err));
  t.false(log.isLeader());
});
