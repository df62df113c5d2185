import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli } from './_agent.js';
import { cliUntil, removeDataDirs, serfAddr, startDurableAgent, tableRows } from './_cluster.js';

// Serial: the tests share one three-server cluster and change it in order.
const test = anyTest as TestFn<{ servers: RunningAgent[] }>;

const PEERS_HEADER = ['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By'];

test.before(async (t) => {
  const first = await startDurableAgent({ server: { expect: 3 } });
  const rest = await Promise.all([1, 2].map(() => startDurableAgent({ server: { expect: 3 }, join: serfAddr(first) })));
  t.context.servers = [first, ...rest];
});

test.after.always(async (t) => {
  await Promise.all((t.context.servers ?? []).map((s) => s.stop()));
  await removeDataDirs();
});

/** list-peers rows (without the header) once the cluster reports `n` peers and a leader. */
async function peers(addr: string, n: number, args: string[] = []): Promise<{ rows: string[][]; header: string[] }> {
  const res = await cliUntil(['operator', 'raft', 'list-peers', ...args], addr, (r) => {
    const rows = tableRows(r.stdout).slice(1);
    return r.code === 0 && rows.length === n && rows.some((row) => row[3] === 'leader');
  });
  const [header = [], ...rows] = tableRows(res.stdout);
  if (res.code !== 0) throw new Error(`list-peers failed: ${res.stderr}`);
  return { header, rows };
}

function leaderOf(servers: readonly RunningAgent[], rows: readonly string[][]): RunningAgent {
  const name = rows.find((r) => r[3] === 'leader')?.[0];
  const leader = servers.find((s) => s.node === name);
  if (!leader) throw new Error(`no leader among ${rows.map((r) => r[0]).join(', ')}`);
  return leader;
}

test.serial('list-peers shows every server with Consul columns and exactly one leader', async (t) => {
  const { servers } = t.context;
  const { header, rows } = await peers(servers[0]!.httpAddr, 3);
  t.deepEqual(header, PEERS_HEADER);
  t.deepEqual(rows.map((r) => r[0]).sort(), servers.map((s) => s.node).sort());
  t.is(rows.filter((r) => r[3] === 'leader').length, 1);
  for (const row of rows) {
    t.is(row.length, 8, row.join('|'));
    t.regex(row[1] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    t.regex(row[2] as string, /^127\.0\.0\.1:\d+$/);
    t.is(row[4], 'true');
    t.is(row[5], '3');
    t.regex(row[6] as string, /^\d+$/);
    t.regex(row[7] as string, row[3] === 'leader' ? /^_$/ : /^(0|1) Commit$|^\d+ Commits$/);
  }
});

test.serial('list-peers -stale answers from a follower with the same servers', async (t) => {
  const { servers } = t.context;
  const { rows } = await peers(servers[0]!.httpAddr, 3);
  const follower = servers.find((s) => s !== leaderOf(servers, rows)) as RunningAgent;
  const stale = await peers(follower.httpAddr, 3, ['-stale']);
  t.deepEqual(stale.rows.map((r) => r[1]).sort(), rows.map((r) => r[1]).sort());
});

test.serial('remove-peer needs exactly one of -id and -address', async (t) => {
  const addr = t.context.servers[0]!.httpAddr;
  const none = await runCli(['operator', 'raft', 'remove-peer'], { addr });
  t.is(none.code, 1);
  t.is(none.stderr, 'Error removing peer: an address or id is required for the peer to remove\n');
  const both = await runCli(['operator', 'raft', 'remove-peer', '-id=x', '-address=127.0.0.1:1'], { addr });
  t.is(both.code, 1);
  t.is(both.stderr, 'Error removing peer: cannot give both an address and id\n');
});

test.serial('remove-peer of an address not in the configuration reports the agent error', async (t) => {
  const { servers } = t.context;
  const leader = leaderOf(servers, (await peers(servers[0]!.httpAddr, 3)).rows);
  const res = await runCli(['operator', 'raft', 'remove-peer', '-address=127.0.0.1:1'], { addr: leader.httpAddr });
  t.is(res.code, 1);
  t.is(res.stdout, '');
  t.regex(res.stderr, /^Error removing peer: Unexpected response code: 500 \(.*127\.0\.0\.1:1.*\)\n$/);
});

test.serial('remove-peer -id removes a killed server from the raft configuration', async (t) => {
  const { servers } = t.context;
  const { rows } = await peers(servers[0]!.httpAddr, 3);
  const leader = leaderOf(servers, rows);
  const victim = servers.find((s) => s !== leader) as RunningAgent;
  const id = rows.find((r) => r[0] === victim.node)?.[1] as string;
  process.kill(victim.pid, 'SIGKILL');
  // While gossip still sees it alive, the leader would add it back as a peer.
  const failed = await cliUntil(['members', '-status=failed'], leader.httpAddr, (r) => r.stdout.includes(victim.node));
  t.is(failed.code, 0, `the killed server never showed as failed:\n${failed.stdout}`);

  const res = await runCli(['operator', 'raft', 'remove-peer', `-id=${id}`], { addr: leader.httpAddr });
  t.is(res.stderr, '');
  t.is(res.stdout, `Removed peer with id "${id}"\n`);
  t.is(res.code, 0);
  const after = await peers(leader.httpAddr, 2);
  t.false(after.rows.some((r) => r[1] === id));
});

/** The server killed above, and the address of one still running. */
async function deadAndLive(servers: readonly RunningAgent[]): Promise<{ dead: RunningAgent; addr: string }> {
  const answers = await Promise.all(servers.map((s) => runCli(['members'], { addr: s.httpAddr })));
  const dead = servers.find((_, i) => answers[i]?.code !== 0);
  const live = servers.find((_, i) => answers[i]?.code === 0);
  if (!dead || !live) throw new Error('expected one killed and some running servers');
  return { dead, addr: live.httpAddr };
}

test.serial('force-leave moves a failed server to left', async (t) => {
  const { dead, addr } = await deadAndLive(t.context.servers);
  t.is((await runCli(['members', '-status=failed'], { addr })).code, 0);

  const res = await runCli(['force-leave', dead.node], { addr });
  t.is(res.stderr, '');
  t.is(res.stdout, '');
  t.is(res.code, 0);
  const left = await cliUntil(['members', '-status=^left$'], addr, (r) => r.stdout.includes(dead.node));
  t.is(left.code, 0);
  t.true(tableRows(left.stdout).some((r) => r[0] === dead.node && r[2] === 'left'));
});

test.serial('force-leave -prune removes the member from the list', async (t) => {
  const { dead, addr } = await deadAndLive(t.context.servers);
  const res = await runCli(['force-leave', '-prune', dead.node], { addr });
  t.is(res.code, 0, res.stderr);
  const members = await cliUntil(['members'], addr, (r) => !r.stdout.includes(dead.node), 5000);
  t.false(members.stdout.includes(dead.node), members.stdout);
});
