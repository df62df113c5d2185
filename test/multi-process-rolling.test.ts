import test from 'ava';
import { KvHistory } from './_kv-history.js';
import { type Proc, ProcessCluster, getText, until } from './_process-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a rolling restart of all three servers under load loses no acknowledged write', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const client = await c.startClient({ join: servers[0] });
  await until(async () => JSON.parse((await getText(client.httpPort, '/v1/status/leader')).text) !== '', 15_000, 'the client to find the servers');
  const history = new KvHistory(`rolling-${process.pid}`);
  let stop = false;
  const load = history.run(
    4,
    ['a', 'b', 'c', 'd'],
    () => client.httpPort,
    () => stop,
  );
  for (const s of servers) {
    await c.kill(s, 'SIGTERM');
    await sleep(500);
    await c.restart(s);
    // The next server goes down only once this one is back among three voters with a leader.
    await until(
      async () => {
        const leader = await c.leader(servers);
        if (!leader) return undefined;
        const conf = JSON.parse((await getText(leader.httpPort, '/v1/operator/raft/configuration')).text) as { Servers: unknown[] };
        return conf.Servers.length === 3 || undefined;
      },
      20_000,
      `the cluster to recover after restarting ${s.name}`,
    );
  }
  await sleep(500);
  stop = true;
  await load;
  const leader = await c.waitForLeader(servers);
  for (const key of ['a', 'b', 'c', 'd']) await history.read(99, leader.httpPort, key);
  const report = history.check();
  t.is(report.result, 'ok', `not linearizable: ${report.failedPartitions.join(', ')}`);
  t.true(history.stats.acked > 50);
  t.log(`acked ${history.stats.acked}, failed or unknown ${history.stats.failed}`);
});

async function raftConfigurations(_c: ProcessCluster, servers: readonly Proc[]): Promise<string[]> {
  return Promise.all(
    servers.map(async (s) => {
      const conf = JSON.parse((await getText(s.httpPort, '/v1/operator/raft/configuration?stale')).text) as { Servers: { ID: string; Voter: boolean }[] };
      return conf.Servers.filter((x) => x.Voter)
        .map((x) => x.ID)
        .sort()
        .join(',');
    }),
  );
}

for (const order of ['all at once', 'one server three seconds late', 'joined in a chain']) {
  test(`-bootstrap-expect=3 forms exactly one cluster when servers start ${order}`, async (t) => {
    const c = new ProcessCluster(t);
    let servers: Proc[];
    if (order === 'all at once') {
      const first = await c.startServer({ expect: 3 });
      servers = [first, ...(await Promise.all([c.startServer({ expect: 3, join: first }), c.startServer({ expect: 3, join: first })]))];
    } else if (order === 'one server three seconds late') {
      const first = await c.startServer({ expect: 3 });
      const second = await c.startServer({ expect: 3, join: first });
      await sleep(3000);
      t.is(await c.leader([first, second]), undefined, 'no cluster forms with two of three servers');
      servers = [first, second, await c.startServer({ expect: 3, join: second })];
    } else {
      const first = await c.startServer({ expect: 3 });
      const second = await c.startServer({ expect: 3, join: first });
      servers = [first, second, await c.startServer({ expect: 3, join: second })];
    }
    await c.waitForLeader(servers, 20_000);
    const confs = await until(
      async () => {
        const all = await raftConfigurations(c, servers);
        return all.every((x) => x === all[0] && x.split(',').length === 3) ? all : undefined;
      },
      15_000,
      'the same three voters on every server',
    );
    t.is(new Set(confs).size, 1);
    const leaders = await Promise.all(servers.map((s) => c.isLeader(s)));
    t.is(leaders.filter(Boolean).length, 1);
  });
}
