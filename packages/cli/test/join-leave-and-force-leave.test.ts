import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';
import { cliUntil, closedAddr, processExit, removeDataDirs, serfAddr, startDurableAgent, tableRows } from './_cluster.js';

// Serial: the last tests make the client agent leave.
const test = anyTest as TestFn<{ server: RunningAgent; client: RunningAgent; other: RunningAgent }>;

test.before(async (t) => {
  const [server, other] = await Promise.all([startAgent(), startAgent()]);
  t.context.server = server;
  t.context.other = other;
  t.context.client = await startDurableAgent({});
});

test.after.always(async (t) => {
  await Promise.all([t.context.server?.stop(), t.context.other?.stop(), t.context.client?.stop()]);
  await removeDataDirs();
});

/** Member name → its row (Node, Address, Status, Type, ...) as `concord members` prints it. */
function membersByName(stdout: string): Map<string, string[]> {
  return new Map(
    tableRows(stdout)
      .slice(1)
      .map((r) => [r[0] as string, r]),
  );
}

test.serial('join makes a client agent a member of the server cluster, and members shows both', async (t) => {
  const { server, client } = t.context;
  const res = await runCli(['join', serfAddr(server)], { addr: client.httpAddr });
  t.is(res.stderr, '');
  t.is(res.stdout, 'Successfully joined cluster by contacting 1 nodes.\n');
  t.is(res.code, 0);

  const members = await cliUntil(['members'], server.httpAddr, (r) => r.stdout.includes(client.node));
  t.is(members.code, 0, members.stderr);
  const rows = membersByName(members.stdout);
  t.deepEqual(rows.get(server.node)?.slice(2, 4), ['alive', 'server']);
  t.deepEqual(rows.get(client.node)?.slice(2, 4), ['alive', 'client']);
  t.is(rows.get(client.node)?.[1], serfAddr(client));
  // Servers sort before clients.
  t.is(tableRows(members.stdout)[1]?.[0], server.node);

  const fromClient = await runCli(['members', '-status=alive'], { addr: client.httpAddr });
  t.deepEqual([...membersByName(fromClient.stdout).keys()].sort(), [server.node, client.node].sort());
});

test.serial('join of two servers counts the addresses that worked and reports the others', async (t) => {
  const { server, other } = t.context;
  const bad = '127.0.0.1:1';
  const res = await runCli(['join', bad, serfAddr(other)], { addr: server.httpAddr });
  t.is(res.code, 0);
  t.is(res.stdout, 'Successfully joined cluster by contacting 1 nodes.\n');
  t.regex(res.stderr, /^Error joining address '127\.0\.0\.1:1': Unexpected response code: 500 \(.+\)\n$/);
  const members = await cliUntil(['members'], server.httpAddr, (r) => r.stdout.includes(other.node));
  t.deepEqual(membersByName(members.stdout).get(other.node)?.slice(2, 4), ['alive', 'server']);
});

test.serial('join fails with exit 1 when no address can be joined', async (t) => {
  const res = await runCli(['join', '127.0.0.1:1'], { addr: t.context.server.httpAddr });
  t.is(res.code, 1);
  t.is(res.stdout, '');
  const lines = res.stderr.trimEnd().split('\n');
  t.regex(lines[0] as string, /^Error joining address '127\.0\.0\.1:1': /);
  t.is(lines[1], 'Failed to join any nodes.');
});

test.serial('join without an address says so', async (t) => {
  const res = await runCli(['join'], { addr: t.context.server.httpAddr });
  t.is(res.code, 1);
  t.is(res.stderr, 'At least one address to join must be specified.\n');
});

test.serial('force-leave of an unknown node prints the agent error and exits 1', async (t) => {
  const res = await runCli(['force-leave', 'no-such-node'], { addr: t.context.server.httpAddr });
  t.is(res.code, 1);
  t.is(res.stderr, "Error force leaving: Unexpected response code: 500 (agent: No node found with name 'no-such-node')\n");
});

test.serial('force-leave needs exactly one node name', async (t) => {
  for (const args of [['force-leave'], ['force-leave', 'a', 'b']]) {
    const res = await runCli(args, { addr: t.context.server.httpAddr });
    t.is(res.code, 1);
    t.is(res.stderr, 'A single node name must be specified to force leave.\n');
  }
});

test.serial('leave with arguments is refused before anything is sent', async (t) => {
  const res = await runCli(['leave', 'now'], { addr: t.context.client.httpAddr });
  t.is(res.code, 1);
  t.is(res.stderr, 'Error found unexpected args: [now]\n');
  const still = await runCli(['members'], { addr: t.context.client.httpAddr });
  t.is(still.code, 0, still.stderr);
});

test.serial('leave makes the client agent leave gracefully and exit; the server sees it as left', async (t) => {
  const { server, client } = t.context;
  const res = await runCli(['leave'], { addr: client.httpAddr });
  t.is(res.stderr, '');
  t.is(res.stdout, 'Graceful leave complete\n');
  t.is(res.code, 0);
  await processExit(client.pid);
  const members = await cliUntil(['members'], server.httpAddr, (r) => membersByName(r.stdout).get(client.node)?.[2] === 'left');
  t.is(membersByName(members.stdout).get(client.node)?.[2], 'left');
  const gone = await runCli(['members'], { addr: client.httpAddr });
  t.is(gone.code, 1);
  t.regex(gone.stderr, /^Error retrieving members: Get "http:\/\/127\.0\.0\.1:\d+\/v1\/agent\/members": .+\n$/);
});

test.serial('join against an unreachable agent prints one line and exits 1', async (t) => {
  const res = await runCli(['join', 'x'], { addr: await closedAddr() });
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error joining address 'x': Put "http:\/\/127\.0\.0\.1:\d+\/v1\/agent\/join\/x": .*ECONNREFUSED.*\n$/);
});
