import test from 'ava';
import { KvHistory } from './_kv-history.js';
import { ProcessCluster, getText, until } from './_process-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 of the leader under load: a new leader takes over, the old one catches up by snapshot, and no acknowledged write is lost', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: { raft_snapshot_threshold: 64, raft_snapshot_interval: '0s', raft_trailing_logs: 16 } });
  const clients = [await c.startClient({ join: servers[0] }), await c.startClient({ join: servers[1] })];
  for (const cl of clients) {
    await until(async () => JSON.parse((await getText(cl.httpPort, '/v1/status/leader')).text) !== '', 15_000, `${cl.name} to find the servers`);
  }
  const old = await c.waitForLeader();
  const followers = servers.filter((s) => s !== old);
  // Four writers: two through client agents, two through the followers.
  const targets = [clients[0], clients[1], followers[0], followers[1]].map((p) => p?.httpPort ?? 0);
  const history = new KvHistory(`failover-${process.pid}`);
  let stop = false;
  const load = history.run(
    4,
    ['a', 'b', 'c'],
    (w) => targets[w] ?? 0,
    () => stop,
  );

  await sleep(1500);
  await c.kill(old);
  const ackedAtKill = history.stats.acked;
  const next = await c.waitForLeader(followers, 15_000);
  t.not(next.name, old.name);
  await until(async () => history.stats.acked > ackedAtKill + 50, 20_000, 'writes to resume after the failover');
  // Let the log run far past the snapshot threshold while the old leader is down.
  await sleep(2000);
  await c.restart(old);
  await sleep(1500);
  stop = true;
  await load;

  // Final reads of every register join the history: a lost acknowledged write would show there.
  for (const key of ['a', 'b', 'c']) await history.read(99, next.httpPort, key);
  const report = history.check();
  t.is(report.result, 'ok', `not linearizable: ${report.failedPartitions.join(', ')}`);
  t.true(history.stats.acked > 100, `only ${history.stats.acked} writes acknowledged`);

  // The restarted server has caught up with everything the leader has, through a snapshot.
  // The whole store's index (a single key answers only its own ModifyIndex).
  const leaderIndex = Number((await getText(next.httpPort, '/v1/kv/?keys&consistent')).headers.get('x-consul-index'));
  for (const key of ['a', 'b', 'c']) {
    const want = (await getText(next.httpPort, `${history.keyPath(key)}?raw&consistent`)).text;
    await until(async () => (await getText(old.httpPort, `${history.keyPath(key)}?raw&stale`)).text === want, 15_000, `${old.name} to catch up on ${key}`);
  }
  const oldIndex = Number((await getText(old.httpPort, '/v1/kv/?keys&stale')).headers.get('x-consul-index'));
  t.true(oldIndex >= leaderIndex, `restarted server at index ${oldIndex}, leader at ${leaderIndex}`);
  t.regex(old.log, /installed a snapshot from the leader/, 'the restarted server caught up by snapshot');
  t.log(`acked ${history.stats.acked}, unknown ${history.stats.failed}, reads ${history.stats.reads}`);
});
