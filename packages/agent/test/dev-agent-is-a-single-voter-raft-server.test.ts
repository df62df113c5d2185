/**
 * A -dev agent is a server whose raft log is in memory: a raft-ts node that is the only voter of
 * its cluster, behind the same server parts as a durable server. Its writes take the server's path
 * (propose, commit, apply, snapshot), and what it reports about raft (`/v1/agent/self` stats, the
 * raft configuration, `/v1/status/*`, raft operations) is that node's own state.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, eventually, fileScope, sleep, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));

/** Snapshots the agent's raft node took, from its debug log. */
const snapshotsTaken = (output: string): number => output.match(/raft: took a snapshot/g)?.length ?? 0;

interface RaftStats {
  applied_index: string;
  commit_index: string;
  last_log_index: string;
  term: string;
  last_log_term: string;
  last_snapshot_index: string;
  last_snapshot_term: string;
  state: string;
  num_peers: string;
  latest_configuration: string;
}

test('a -dev agent reports its raft node: stats follow each write, it is the only voter and leader, and raft operations answer as on a lone server', async (t) => {
  const agent = await startAgent(scope);
  const stats = async (): Promise<RaftStats> => (await call(agent, 'GET', '/v1/agent/self')).json<{ Stats: { raft: RaftStats } }>().Stats.raft;
  const leader = (await call(agent, 'GET', '/v1/status/leader')).json<string>();
  t.regex(leader, /^127\.0\.0\.1:\d+$/);
  t.deepEqual((await call(agent, 'GET', '/v1/status/peers')).json<string[]>(), [leader]);
  const before = await stats();
  t.is(before.state, 'Leader');
  t.is(before.num_peers, '0');
  // A node that bootstrapped itself and campaigned is past the first term.
  t.true(Number(before.term) >= 1);
  t.is(before.last_log_term, before.term);

  for (let i = 0; i < 5; i++) {
    const r = await call(agent, 'PUT', `/v1/kv/raft-view/k${i}`, `v${i}`);
    t.is(r.text, 'true');
  }
  const got = await call(agent, 'GET', '/v1/kv/raft-view/k4');
  const [entry] = got.json<{ ModifyIndex: number }[]>();
  const after = await stats();
  // Each write is a raft entry: the log grew by at least the five writes, and the last write's
  // index is one the node has committed and applied.
  t.true(Number(after.last_log_index) >= Number(before.last_log_index) + 5, `${before.last_log_index} -> ${after.last_log_index}`);
  t.true(Number(after.applied_index) >= entry!.ModifyIndex);
  t.true(Number(after.commit_index) >= Number(after.applied_index));
  const conf = JSON.parse(after.latest_configuration) as { ID: string; Address: string; Voter: boolean }[];
  t.is(conf.length, 1);
  t.like(conf[0], { Address: leader, Voter: true });

  const raft = (await call(agent, 'GET', '/v1/operator/raft/configuration')).json<{ Servers: { ID: string; Leader: boolean; Voter: boolean }[]; Index: number }>();
  t.is(raft.Servers.length, 1);
  t.like(raft.Servers[0], { ID: conf[0]!.ID, Leader: true, Voter: true });
  t.true(raft.Index >= entry!.ModifyIndex);

  // Raft itself answers operations that would leave no leader.
  const transfer = await call(agent, 'POST', '/v1/operator/raft/transfer-leader');
  t.is(transfer.status, 500);
  t.regex(transfer.text, /no other voter/);
  const remove = await call(agent, 'DELETE', `/v1/operator/raft/peer?id=${encodeURIComponent(conf[0]!.ID)}`);
  t.is(remove.status, 500);
  t.regex(remove.text, /last voter/);
  t.is((await call(agent, 'PUT', '/v1/kv/raft-view/still', 'writable')).text, 'true');
});

test('a -dev agent keeps every write across many log compactions', async (t) => {
  const file = join(tempDir(scope), 'dev.json');
  writeFileSync(file, JSON.stringify({ raft_snapshot_threshold: 8, raft_snapshot_interval: '1ms', raft_trailing_logs: 2 }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', file, '-log-level', 'debug'] });
  let index = 0;
  for (let i = 0; i < 60; i++) {
    const r = await call(agent, 'PUT', `/v1/kv/compact/k${i % 12}`, `v${i}`);
    t.is(r.text, 'true');
  }
  // A check-and-set on an old ModifyIndex fails; on the current one it succeeds.
  const got = await call(agent, 'GET', '/v1/kv/compact/k0');
  const [entry] = got.json<{ ModifyIndex: number; Value: string }[]>();
  t.is(Buffer.from(entry!.Value, 'base64').toString(), 'v48');
  t.is((await call(agent, 'PUT', `/v1/kv/compact/k0?cas=${entry!.ModifyIndex - 1}`, 'stale')).text, 'false');
  t.is((await call(agent, 'PUT', `/v1/kv/compact/k0?cas=${entry!.ModifyIndex}`, 'fresh')).text, 'true');
  const all = await call(agent, 'GET', '/v1/kv/compact/?recurse');
  const entries = all.json<{ Key: string; Value: string; ModifyIndex: number }[]>();
  t.is(entries.length, 12);
  for (const e of entries) {
    const n = Number(e.Key.slice('compact/k'.length));
    const want = n === 0 ? 'fresh' : `v${48 + n}`;
    t.is(Buffer.from(e.Value, 'base64').toString(), want, e.Key);
    index = Math.max(index, e.ModifyIndex);
  }
  t.is(Number(all.headers.get('x-consul-index')), index);
  // With a 1ms interval the log was compacted over and over, not once.
  t.true(snapshotsTaken(agent.output()) >= 3, `${snapshotsTaken(agent.output())} snapshots`);
  // agent/self names the stored snapshot, as Consul's raft stats do
  const raft = (await call(agent, 'GET', '/v1/agent/self')).json<{ Stats: { raft: RaftStats } }>().Stats.raft;
  t.true(Number(raft.last_snapshot_index) >= 8, raft.last_snapshot_index);
  t.true(Number(raft.last_snapshot_index) <= Number(raft.applied_index));
  t.is(raft.last_snapshot_term, raft.term);
});

test('a -dev agent snapshots past the threshold at most once per raft_snapshot_interval, as a server does', async (t) => {
  const file = join(tempDir(scope), 'dev.json');
  writeFileSync(file, JSON.stringify({ raft_snapshot_threshold: 5, raft_snapshot_interval: '60s', raft_trailing_logs: 2 }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', file, '-log-level', 'debug'] });
  for (let i = 0; i < 40; i++) t.is((await call(agent, 'PUT', `/v1/kv/interval/k${i}`, `v${i}`)).text, 'true');
  // The first time past the threshold snapshots; eight thresholds' worth of writes within one
  // interval take no more.
  await eventually(async () => snapshotsTaken(agent.output()) >= 1, 10_000, 'the first snapshot');
  await sleep(500);
  t.is(snapshotsTaken(agent.output()), 1);
  // Every write is still there.
  const keys = (await call(agent, 'GET', '/v1/kv/interval/?keys')).json<string[]>();
  t.is(keys.length, 40);
});
