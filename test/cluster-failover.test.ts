import test from 'ava';
import { CreateOnce } from './_cluster.js';
import { KvHistory } from './_kv-history.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

test('writes through client agents apply at most once and none acknowledged is lost when servers are killed', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: { autopilot: { cleanup_dead_servers: false } } });
  // Four client agents, each forwarding to a server of its own choice; a kill hits every client
  // that uses the killed server, whether it is the leader or a follower forwarding to it.
  const clients = await Promise.all([0, 1, 2, 0].map((i) => c.startClient({ join: servers[i] })));
  for (const cl of clients) {
    await until(async () => JSON.parse((await getText(cl.httpPort, '/v1/status/leader')).text) !== '', 15_000, `${cl.name} to find the servers`);
  }
  const writes = new CreateOnce(`once-${process.pid}`);
  let stop = false;
  const load = writes.run(
    8,
    (w) => clients[w % clients.length]?.httpPort ?? 0,
    () => stop,
  );
  const progress = (n: number, what: string) => {
    const from = writes.acked.length;
    return until(async () => writes.acked.length >= from + n, 20_000, what);
  };

  await progress(50, 'the first writes');
  for (const victim of ['leader', 'leader', 'follower']) {
    const leader = await c.waitForLeader(servers, 20_000);
    const killed = victim === 'leader' ? leader : (servers.find((s) => s !== leader) ?? leader);
    await c.kill(killed);
    await c.waitForLeader(
      servers.filter((s) => s !== killed),
      20_000,
    );
    await progress(50, `writes to go on after killing the ${victim} ${killed.name}`);
    await c.restart(killed);
    await progress(50, `writes to go on after restarting ${killed.name}`);
  }
  stop = true;
  await load;

  t.deepEqual(writes.doubled, [], `create-once writes answered false, so they were applied twice: ${writes.doubled.join(', ')}`);
  t.deepEqual(await writes.lost(Object.fromEntries(servers.map((s) => [s.name, httpAddr(s)]))), {}, 'acknowledged keys missing on a server');
  t.log(
    `acked ${writes.acked.length}, unknown ${writes.unknown.length}, applied twice ${writes.doubled.length}; unknown answers: ${[...new Set(writes.answers.values())].join(' | ')}`,
  );
});

test('kill -9 of every server at once under load loses no acknowledged write', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const client = await c.startClient({ join: servers[0] });
  await until(async () => JSON.parse((await getText(client.httpPort, '/v1/status/leader')).text) !== '', 15_000, 'the client to find the servers');
  const history = new KvHistory(`crash-${process.pid}`);
  const writes = new CreateOnce(`crash-once-${process.pid}`);
  const targets = [client, ...servers].map(httpAddr);
  let stop = false;
  const load = Promise.all([
    // The register writers use the client agent, which waits for the servers to come back.
    history.run(
      4,
      ['a', 'b', 'c'],
      () => httpAddr(client),
      () => stop,
    ),
    writes.run(
      4,
      (w) => targets[w] ?? '',
      () => stop,
    ),
  ]);

  await until(async () => history.stats.acked >= 30 && writes.acked.length >= 30, 20_000, 'writes before the crash');
  await Promise.all(servers.map((s) => c.kill(s)));
  for (const s of servers) await c.restart(s);
  const leader = await c.waitForLeader(servers, 20_000);
  const ackedAtRestart = writes.acked.length;
  await until(async () => writes.acked.length > ackedAtRestart + 50, 20_000, 'writes to resume after the restart');
  stop = true;
  await load;

  for (const key of ['a', 'b', 'c']) await history.read(99, httpAddr(leader), key);
  const report = history.check();
  t.is(report.result, 'ok', `not linearizable across the crash: ${report.failedPartitions.join(', ')}`);
  t.deepEqual(writes.doubled, [], `create-once writes answered false (applied twice): ${writes.doubled.join(', ')}`);
  t.deepEqual(await writes.lost(Object.fromEntries(servers.map((s) => [s.name, httpAddr(s)]))), {}, 'acknowledged keys missing on a server');
  t.log(`registers: acked ${history.stats.acked}, unknown ${history.stats.failed}; create-once: acked ${writes.acked.length}, unknown ${writes.unknown.length}`);
});
