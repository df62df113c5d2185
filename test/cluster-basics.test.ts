import { randomBytes } from 'node:crypto';
import test from 'ava';
import { concord } from './_agent.js';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

interface Member {
  Name: string;
  Status: number;
}
interface Health {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: { ID: string; Name: string; Healthy: boolean; SerfStatus: string; Voter: boolean }[];
}
interface AutopilotState {
  Healthy: boolean;
  FailureTolerance: number;
  OptimisticFailureTolerance: number;
  Leader: string;
  Voters: string[];
  Servers: Record<string, { ID: string; Name: string; Status: string; NodeStatus: string; Healthy: boolean; ReadReplica: boolean }>;
}

async function json<T>(p: Proc, path: string): Promise<T> {
  const r = await getText(httpAddr(p), path);
  if (r.status !== 200) throw new Error(`${p.name} ${path}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as T;
}

/** Autopilot's view; Consul answers 429 instead of 200 while the cluster is unhealthy. */
async function health(p: Proc): Promise<Health> {
  const r = await getText(httpAddr(p), '/v1/operator/autopilot/health');
  const h = JSON.parse(r.text) as Health;
  if (r.status !== (h.Healthy ? 200 : 429)) throw new Error(`${p.name} autopilot health answered ${r.status} with ${r.text}`);
  return h;
}

async function nodeId(p: Proc): Promise<string> {
  return (await json<{ Config: { NodeID: string } }>(p, '/v1/agent/self')).Config.NodeID;
}

test('a leader that runs `concord leave` hands over, leaves raft and the catalog, and the other two keep serving', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const leader = await c.waitForLeader(servers);
  const rest = servers.filter((s) => s !== leader);
  const exited = new Promise<number | null>((r) => leader.child?.once('exit', (code) => r(code)));
  const leave = await concord(['leave'], httpAddr(leader));
  t.is(leave.code, 0, leave.stderr);
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
  t.is(code, 0, `${leader.name} after leave`);

  const next = await c.waitForLeader(rest, 15_000);
  const peers = await until(
    async () => {
      const r = await concord(['operator', 'raft', 'list-peers'], httpAddr(next));
      const rows = r.stdout.trim().split('\n').slice(1);
      return rows.length === 2 ? rows : undefined;
    },
    15_000,
    'two raft peers',
  );
  t.false(
    peers.some((row) => row.startsWith(`${leader.name} `)),
    peers.join('\n'),
  );
  t.is(peers.filter((row) => /\bleader\b/.test(row)).length, 1);
  for (const s of rest) t.is((await json<string[]>(s, '/v1/status/peers')).length, 2, s.name);
  await until(async () => (await json<Member[]>(next, '/v1/agent/members')).find((m) => m.Name === leader.name)?.Status === 3, 15_000, `${leader.name} to be left`);
  await until(async () => (await getText(httpAddr(next), `/v1/catalog/node/${leader.name}`)).text === 'null', 15_000, `${leader.name} out of the catalog`);

  const follower = rest.find((s) => s !== next) as Proc;
  t.is((await getText(httpAddr(follower), '/v1/kv/after/leave', { method: 'PUT', body: 'two' })).text, 'true');
  t.is((await getText(httpAddr(next), '/v1/kv/after/leave?raw')).text, 'two');
  const healthy = await until(
    async () => {
      const h = await health(next);
      return h.Healthy ? h : undefined;
    },
    15_000,
    'a healthy two-server cluster',
  );
  t.is(healthy.Servers.length, 2);
  t.is(healthy.FailureTolerance, 0);
});

test('autopilot health, status peers and stale reads follow a follower that fails and comes back', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: { autopilot: { cleanup_dead_servers: false } } });
  const leader = await c.waitForLeader(servers);
  const follower = servers.find((s) => s !== leader) as Proc;
  const followerId = await nodeId(follower);

  const conf = await json<{ Servers: { Address: string }[] }>(leader, '/v1/operator/raft/configuration');
  const peers = await json<string[]>(follower, '/v1/status/peers');
  t.deepEqual([...peers].sort(), conf.Servers.map((s) => s.Address).sort());
  t.is(peers.length, 3);
  t.is((await getText(httpAddr(leader), '/v1/kv/health/k', { method: 'PUT', body: 'v' })).text, 'true');
  const stale = await until(
    async () => {
      const r = await getText(httpAddr(follower), '/v1/kv/health/k?stale');
      return r.status === 200 ? r : undefined;
    },
    10_000,
    'the follower to apply the write',
  );
  t.is(stale.headers.get('x-consul-knownleader'), 'true');
  t.regex(stale.headers.get('x-consul-lastcontact') ?? '', /^\d+$/);

  await until(
    async () => {
      const h = await health(leader);
      return h.Healthy && h.FailureTolerance === 1 && h.Servers.length === 3;
    },
    20_000,
    'three healthy servers, tolerating one failure',
  );
  // Autopilot state: the same judgement keyed by server ID, asked of a follower (it forwards).
  const leaderId = await nodeId(leader);
  const state = await until(
    async () => {
      const st = await json<AutopilotState>(follower, '/v1/operator/autopilot/state');
      return st.Healthy ? st : undefined;
    },
    20_000,
    'autopilot state to be healthy',
  );
  t.is(state.Leader, leaderId);
  t.is(state.FailureTolerance, 1);
  t.is(state.OptimisticFailureTolerance, 1);
  t.deepEqual([...state.Voters].sort(), Object.keys(state.Servers).sort());
  t.is(state.Voters.length, 3);
  t.like(state.Servers[leaderId], { ID: leaderId, Name: leader.name, Status: 'leader', NodeStatus: 'alive', Healthy: true, ReadReplica: false });
  t.like(state.Servers[followerId], { Name: follower.name, Status: 'voter', NodeStatus: 'alive', Healthy: true });

  await c.kill(follower);
  const degraded = await until(
    async () => {
      const h = await health(leader);
      const s = h.Servers.find((x) => x.ID === followerId);
      return s && !s.Healthy && s.SerfStatus === 'failed' ? h : undefined;
    },
    20_000,
    `${follower.name} to be unhealthy and failed`,
  );
  t.false(degraded.Healthy);
  t.is(degraded.FailureTolerance, 0);
  const degradedState = await json<AutopilotState>(leader, '/v1/operator/autopilot/state');
  t.false(degradedState.Healthy);
  t.like(degradedState.Servers[followerId], { Status: 'voter', NodeStatus: 'failed', Healthy: false });
  const list = await concord(['operator', 'raft', 'list-peers'], httpAddr(leader));
  t.is(list.stdout.trim().split('\n').length - 1, 3, 'a failed server stays a voter without dead-server cleanup');

  await c.restart(follower);
  await until(
    async () => {
      const h = await health(leader);
      return h.Healthy && h.FailureTolerance === 1;
    },
    30_000,
    'the cluster to be healthy again',
  );
});

test('with gossip encryption servers and a client form one cluster; an agent with another key cannot join', async (t) => {
  const key = randomBytes(32).toString('base64');
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3, { config: { encrypt: key } });
  const client = await c.startClient({ join: servers[0], config: { encrypt: key } });
  await until(
    async () => {
      const members = await json<Member[]>(client, '/v1/agent/members');
      return members.length === 4 && members.every((m) => m.Status === 1);
    },
    20_000,
    'four alive members seen by the client',
  );
  t.is((await getText(httpAddr(client), '/v1/kv/secret/k', { method: 'PUT', body: 'v' })).text, 'true');
  t.is((await getText(httpAddr(servers[2] as Proc), '/v1/kv/secret/k?raw')).text, 'v');
  const keys = await concord(['keyring', '-list'], httpAddr(servers[1] as Proc));
  t.is(keys.code, 0, keys.stderr);
  t.true(keys.stdout.includes(key), keys.stdout);

  const stranger = await c.startServer({ config: { encrypt: randomBytes(32).toString('base64') } });
  const join = await getText(httpAddr(stranger), `/v1/agent/join/127.0.0.1:${servers[0]?.serfPort}`, { method: 'PUT' });
  t.is(join.status, 500, join.text);
  const seen = await json<Member[]>(servers[0] as Proc, '/v1/agent/members');
  t.false(seen.some((m) => m.Name === stranger.name));
  t.is((await json<Member[]>(stranger, '/v1/agent/members')).length, 1);
});
