import test from 'ava';
import { concord } from './_agent.js';
import { type Proc, ProcessCluster, getText, httpAddr, until, voterSets } from './_process-cluster.js';

async function nodeId(p: Proc): Promise<string> {
  return (JSON.parse((await getText(httpAddr(p), '/v1/agent/self')).text) as { Config: { NodeID: string } }).Config.NodeID;
}

/** The leader's raft ID as every running server sees it, once they all agree. */
async function agreedLeaderId(servers: readonly Proc[], ids: Map<Proc, string>): Promise<string> {
  return until(
    async () => {
      const seen = await Promise.all(
        servers.map(async (s) => {
          const conf = JSON.parse((await getText(httpAddr(s), '/v1/operator/raft/configuration?stale')).text) as { Servers: { ID: string; Leader: boolean }[] };
          return conf.Servers.find((x) => x.Leader)?.ID ?? '';
        }),
      );
      const leaders = await Promise.all(servers.map(async (s) => JSON.parse((await getText(httpAddr(s), '/v1/status/leader')).text) as string));
      const byAddr = [...ids.entries()].find(([p]) => leaders[0] === `127.0.0.1:${p.rpcPort}`)?.[1];
      return seen.every((x) => x !== '' && x === seen[0]) && leaders.every((l) => l === leaders[0]) && byAddr === seen[0] ? seen[0] : undefined;
    },
    20_000,
    'every server to agree on the leader',
  );
}

test.serial('transfer-leader over HTTP and the CLI moves leadership to the named server, or to another one', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const ids = new Map(await Promise.all(servers.map(async (s) => [s, await nodeId(s)] as const)));
  const first = await agreedLeaderId(servers, ids);

  // CLI with -id, sent to a follower (forwarded to the leader).
  const target = [...ids.values()].find((id) => id !== first) as string;
  const follower = servers.find((s) => ids.get(s) !== first) as Proc;
  const named = await concord(['operator', 'raft', 'transfer-leader', '-id', target], httpAddr(follower));
  t.is(named.code, 0, named.stderr);
  t.is(named.stdout, 'Success\n');
  t.is(await agreedLeaderId(servers, ids), target);

  // HTTP without ?id: some other server leads afterwards.
  const res = await getText(httpAddr(servers[0] as Proc), '/v1/operator/raft/transfer-leader', { method: 'PUT' });
  t.is(res.status, 200, res.text);
  t.deepEqual(JSON.parse(res.text), { Success: true });
  const third = await agreedLeaderId(servers, ids);
  t.not(third, target);

  // Unknown IDs and the leader itself are refused with a message; leadership stays.
  const unknown = await concord(['operator', 'raft', 'transfer-leader', '-id', 'no-such-server'], httpAddr(follower));
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^Error transferring leadership: .*no-such-server.*\n$/);
  const self = await getText(httpAddr(servers[1] as Proc), `/v1/operator/raft/transfer-leader?id=${third}`, { method: 'PUT' });
  t.is(self.status, 500);
  t.regex(self.text, /itself/);
  t.is(await agreedLeaderId(servers, ids), third);
});

test.serial('autopilot configuration is replicated by raft and CleanupDeadServers, MinQuorum and LastContactThreshold are honoured', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const [s1, s2, s3] = servers as [Proc, Proc, Proc];

  // The first leader stored the defaults; every server reads them back, stale or not.
  const initial = await until(
    async () => {
      const r = await getText(httpAddr(s2), '/v1/operator/autopilot/configuration?stale');
      const body = JSON.parse(r.text) as { ModifyIndex: number };
      return r.status === 200 && body.ModifyIndex > 0 ? body : undefined;
    },
    15_000,
    'the stored autopilot configuration',
  );
  t.like(initial, { CleanupDeadServers: true, LastContactThreshold: '5s', MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTime: '1s' });

  const set = await concord(['operator', 'autopilot', 'set-config', '-cleanup-dead-servers=false', '-max-trailing-logs=100', '-server-stabilization-time=5s'], httpAddr(s1));
  t.is(set.code, 0, set.stderr);
  t.is(set.stdout, 'Configuration updated!\n');
  for (const s of servers) {
    const got = await until(
      async () => {
        const r = await concord(['operator', 'autopilot', 'get-config', '-stale'], httpAddr(s));
        return r.stdout.includes('MaxTrailingLogs = 100') ? r : undefined;
      },
      10_000,
      `${s.name} to apply the new configuration`,
    );
    t.is(
      got.stdout,
      [
        'CleanupDeadServers = false',
        'LastContactThreshold = 5s',
        'MaxTrailingLogs = 100',
        'MinQuorum = 0',
        'ServerStabilizationTime = 5s',
        'RedundancyZoneTag = ""',
        'DisableUpgradeMigration = false',
        'UpgradeVersionTag = ""',
        '',
      ].join('\n'),
    );
  }

  // ?cas= with a stale index is refused and changes nothing.
  const stale = await getText(httpAddr(s2), `/v1/operator/autopilot/configuration?cas=${initial.ModifyIndex}`, {
    method: 'PUT',
    body: JSON.stringify({ CleanupDeadServers: true }),
  });
  t.is(stale.text.trim(), 'false');
  const bad = await getText(httpAddr(s2), '/v1/operator/autopilot/configuration?cas=x', { method: 'PUT', body: '{}' });
  t.is(bad.status, 400);
  const badBody = await getText(httpAddr(s2), '/v1/operator/autopilot/configuration', { method: 'PUT', body: '{"MaxTrailingLogs":"many"}' });
  t.is(badBody.status, 400);

  // LastContactThreshold of 1ns: followers are unhealthy; back to 10s: healthy again.
  const health = async () => {
    const r = await getText(httpAddr(s1), '/v1/operator/autopilot/health');
    return { status: r.status, body: JSON.parse(r.text) as { Healthy: boolean; Servers: { Leader: boolean; Healthy: boolean }[] } };
  };
  t.is((await concord(['operator', 'autopilot', 'set-config', '-last-contact-threshold=1ns'], httpAddr(s1))).code, 0);
  await until(
    async () => {
      const h = await health();
      return h.status === 429 && !h.body.Healthy && h.body.Servers.filter((x) => !x.Leader).every((x) => !x.Healthy);
    },
    15_000,
    'followers judged unhealthy under a 1ns threshold',
  );
  t.is((await concord(['operator', 'autopilot', 'set-config', '-last-contact-threshold=10s'], httpAddr(s1))).code, 0);
  await until(async () => (await health()).status === 200, 15_000, 'healthy again under a 10s threshold');

  // CleanupDeadServers=false: a dead server stays a voter past the 30 s cleanup delay.
  const voterCount = async () => (await voterSets([s1, s2, s3].filter((p) => c.alive(p))))[0]?.split(',').length ?? 0;
  const leader = await c.waitForLeader();
  const victim = servers.find((s) => s !== leader) as Proc;
  await c.kill(victim);
  await new Promise((r) => setTimeout(r, 36_000));
  t.is(await voterCount(), 3);

  // Cleanup on, but MinQuorum 3: still kept.
  t.is((await concord(['operator', 'autopilot', 'set-config', '-cleanup-dead-servers=true', '-min-quorum=3'], httpAddr(leader))).code, 0);
  await new Promise((r) => setTimeout(r, 4000));
  t.is(await voterCount(), 3);

  // MinQuorum 0: removed.
  t.is((await concord(['operator', 'autopilot', 'set-config', '-min-quorum=0'], httpAddr(leader))).code, 0);
  await until(async () => (await voterCount()) === 2, 20_000, 'the dead server removed from raft');
  t.pass();
});

test.serial('a server joining a running cluster is a non-voter until it has been healthy for ServerStabilizationTime', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const leader = await c.waitForLeader();
  const set = await concord(['operator', 'autopilot', 'set-config', '-server-stabilization-time=6s'], httpAddr(leader));
  t.is(set.code, 0, set.stderr);
  await until(
    async () => (await concord(['operator', 'autopilot', 'get-config', '-stale'], httpAddr(servers[2] as Proc))).stdout.includes('ServerStabilizationTime = 6s'),
    10_000,
    'the setting on every server',
  );

  const fourth = await c.startServer({ join: leader });
  const id = await nodeId(fourth);
  const row = async () => {
    const r = await concord(['operator', 'raft', 'list-peers'], httpAddr(leader));
    return r.stdout
      .split('\n')
      .find((l) => l.includes(id))
      ?.split(/\s+/);
  };
  // Columns: Node ID Address State Voter RaftProtocol ...
  const asNonVoter = await until(
    async () => {
      const r = await row();
      return r && r[4] === 'false' ? r : undefined;
    },
    20_000,
    'the new server as a non-voter',
  );
  const seenAt = Date.now();
  t.is(asNonVoter[3], 'follower');
  const state = JSON.parse((await getText(httpAddr(leader), '/v1/operator/autopilot/state')).text) as { Servers: Record<string, { Status: string }>; Voters: string[] };
  t.false(state.Voters.includes(id));
  t.is(state.Servers[id]?.Status, 'non-voter');
  await until(async () => (await row())?.[4] === 'true', 30_000, 'the new server promoted to voter');
  t.true(Date.now() - seenAt >= 4000, `promoted ${Date.now() - seenAt} ms after it was seen as a non-voter`);
  t.is((await voterSets([...servers, fourth]))[0]?.split(',').length, 4);
});
