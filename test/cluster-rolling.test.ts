import test from 'ava';
import { CreateOnce } from './_cluster.js';
import { KvHistory } from './_kv-history.js';
import { type Proc, ProcessCluster, getText, httpAddr, until, voterSets } from './_process-cluster.js';

/** The documented failure while no leader exists (after waiting up to 7 s for one). */
const NO_LEADER = '500 No cluster leader';

/** Resolves once one server leads and every server has the same three voters. */
function oneCluster(c: ProcessCluster, servers: readonly Proc[], timeoutMs: number): Promise<string> {
  return until(
    async () => {
      const sets = await voterSets(servers);
      const same = sets.every((x) => x === sets[0] && x.split(',').length === 3);
      return same && (await c.leader(servers)) ? sets[0] : undefined;
    },
    timeoutMs,
    'one leader and the same three voters on every server',
  );
}

async function nodeIds(servers: readonly Proc[]): Promise<string> {
  const ids = await Promise.all(servers.map(async (s) => (JSON.parse((await getText(httpAddr(s), '/v1/agent/self')).text) as { Config: { NodeID: string } }).Config.NodeID));
  return ids.sort().join(',');
}

test('restarting the leader three times over under load fails writes only while no leader exists and loses none', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const clients = [await c.startClient({ join: servers[0] }), await c.startClient({ join: servers[1] })];
  for (const cl of clients) {
    await until(async () => JSON.parse((await getText(cl.httpPort, '/v1/status/leader')).text) !== '', 15_000, `${cl.name} to find the servers`);
  }
  const history = new KvHistory(`roll-${process.pid}`);
  const writes = new CreateOnce(`roll-once-${process.pid}`);
  const via = (w: number) => httpAddr(clients[w % 2] as Proc);
  let stop = false;
  const load = Promise.all([history.run(4, ['a', 'b', 'c', 'd'], via, () => stop), writes.run(2, via, () => stop)]);
  const progress = (n: number, what: string) => {
    const from = writes.acked.length;
    return until(async () => writes.acked.length >= from + n, 20_000, what);
  };
  await progress(20, 'the first writes');

  // Each round stops the current leader with SIGTERM (a shutdown without leaving) and starts it
  // again on its data dir; once every leader so far was restarted, the last one left goes.
  const restarted = new Set<Proc>();
  while (restarted.size < servers.length) {
    const leader = await c.waitForLeader(servers, 20_000);
    const victim = restarted.has(leader) ? (servers.find((s) => !restarted.has(s)) as Proc) : leader;
    await c.kill(victim, 'SIGTERM');
    await c.restart(victim);
    restarted.add(victim);
    await oneCluster(c, servers, 30_000);
    // Caught up: the restarted server applied what the leader had when it came back.
    const now = await c.waitForLeader(servers, 20_000);
    const index = Number((await getText(httpAddr(now), '/v1/kv/?keys&consistent')).headers.get('x-consul-index'));
    await until(async () => Number((await getText(httpAddr(victim), '/v1/kv/?keys&stale')).headers.get('x-consul-index')) >= index, 20_000, `${victim.name} to catch up`);
    await progress(20, `writes after restarting ${victim.name}`);
  }
  stop = true;
  await load;

  const leader = await c.waitForLeader(servers);
  for (const key of ['a', 'b', 'c', 'd']) await history.read(99, httpAddr(leader), key);
  const report = history.check();
  t.is(report.result, 'ok', `not linearizable: ${report.failedPartitions.join(', ')}`);
  t.deepEqual(writes.doubled, [], `create-once writes answered false (applied twice): ${writes.doubled.join(', ')}`);
  t.deepEqual(await writes.lost(Object.fromEntries(servers.map((s) => [s.name, httpAddr(s)]))), {}, 'acknowledged keys missing on a server');
  const failures = [...history.failures.map((f) => `${f.status ?? ''} ${f.reason}`.trim()), ...writes.answers.values()];
  const unexpected = failures.filter((f) => f !== NO_LEADER);
  t.log(`writes acknowledged: ${history.stats.acked + writes.acked.length}; failed: ${failures.length} (${failures.length - unexpected.length} "No cluster leader")`);
  t.deepEqual(unexpected, [], 'writes failed otherwise than with "No cluster leader"');
});

test('a stopped cluster restarted in reverse order with delays is the same cluster and keeps its data', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const before = await oneCluster(c, servers, 20_000);
  const leader = await c.waitForLeader(servers);
  t.is((await getText(httpAddr(leader), '/v1/kv/keep/me', { method: 'PUT', body: 'still here' })).text, 'true');
  await Promise.all(servers.map((s) => c.kill(s, 'SIGTERM')));
  for (const s of [...servers].reverse()) {
    await c.restart(s);
    await new Promise((r) => setTimeout(r, 1500));
  }
  const after = await oneCluster(c, servers, 30_000);
  t.is(after, before, 'the voters are the servers of the first cluster');
  t.is(after, await nodeIds(servers));
  for (const s of servers) {
    await until(async () => (await getText(httpAddr(s), '/v1/kv/keep/me?raw&stale')).text === 'still here', 15_000, `${s.name} to hold the data`);
  }
  t.is((await getText(httpAddr(servers[0] as Proc), '/v1/kv/keep/me?raw')).text, 'still here');
});

test('-bootstrap-expect=3 forms one cluster when a waiting server restarts before the third arrives', async (t) => {
  const c = new ProcessCluster(t);
  const first = await c.startServer({ expect: 3 });
  const second = await c.startServer({ expect: 3, join: first });
  await until(
    async () => {
      const members = JSON.parse((await getText(httpAddr(first), '/v1/agent/members')).text) as unknown[];
      return members.length === 2;
    },
    15_000,
    'two servers to see each other',
  );
  t.is(await c.leader([first, second]), undefined, 'no cluster forms with two of three servers');
  await c.kill(first, 'SIGTERM');
  await c.restart(first);
  const third = await c.startServer({ expect: 3, join: second });
  const servers = [first, second, third];
  const voters = await oneCluster(c, servers, 30_000);
  t.is(voters, await nodeIds(servers));
  const leaders = await Promise.all(servers.map((s) => c.isLeader(s)));
  t.is(leaders.filter(Boolean).length, 1);
});
