import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

const test = anyTest as TestFn<{ agent: RunningAgent; dir: string }>;

const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 1e-5 });

async function put(agent: RunningAgent, path: string, body: object): Promise<void> {
  const res = await fetch(`${agent.base}${path}`, { method: 'PUT', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

test.before(async (t) => {
  // A long sync period, so the agent's own update never replaces the coordinate given below.
  t.context.dir = mkdtempSync(join(tmpdir(), 'concord-rtt-'));
  const config = join(t.context.dir, 'rtt.json');
  writeFileSync(config, JSON.stringify({ sync_coordinate_interval_min: '1h' }));
  const agent = await startAgent(['-config-file', config]);
  t.context.agent = agent;
  for (const node of ['rtt-a', 'rtt-b', 'rtt-bare']) await put(agent, '/v1/catalog/register', { Node: node, Address: '10.4.0.1' });
  await put(agent, '/v1/coordinate/update', { Node: 'rtt-a', Coord: coord(0) });
  await put(agent, '/v1/coordinate/update', { Node: 'rtt-b', Coord: coord(0.05) });
  await put(agent, '/v1/coordinate/update', { Node: agent.node, Coord: coord(0.01) });
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
  if (t.context.dir) rmSync(t.context.dir, { recursive: true, force: true });
});

const cli = (t: { context: { agent: RunningAgent } }, args: string[]) => runCli(args, { addr: t.context.agent.httpAddr });

test('rtt between two nodes prints the estimate in ms with three decimals', async (t) => {
  const res = await cli(t, ['rtt', 'rtt-a', 'rtt-b']);
  t.is(res.code, 0, res.stderr);
  // 50 ms apart plus both 10 µs heights.
  t.is(res.stdout, 'Estimated rtt-a <-> rtt-b rtt: 50.020 ms (using LAN coordinates)\n');
  t.is(res.stderr, '');
});

test("the second node defaults to the agent's own node, and -http-addr selects the agent", async (t) => {
  const res = await runCli(['rtt', `-http-addr=${t.context.agent.httpAddr}`, 'rtt-b'], { addr: '127.0.0.1:1' });
  t.is(res.code, 0, res.stderr);
  t.is(res.stdout, `Estimated rtt-b <-> ${t.context.agent.node} rtt: 40.020 ms (using LAN coordinates)\n`);
});

test('node names match case-insensitively, as in Consul', async (t) => {
  const res = await cli(t, ['rtt', 'RTT-A', 'rtt-b']);
  t.is(res.code, 0, res.stderr);
  t.is(res.stdout, 'Estimated RTT-A <-> rtt-b rtt: 50.020 ms (using LAN coordinates)\n');
});

test('a node without a coordinate is named on stderr with exit 1', async (t) => {
  for (const [args, node] of [
    [['rtt', 'rtt-bare', 'rtt-a'], 'rtt-bare'],
    [['rtt', 'rtt-a', 'nobody'], 'nobody'],
  ] as const) {
    const res = await cli(t, [...args]);
    t.is(res.code, 1);
    t.is(res.stdout, '');
    t.is(res.stderr, `Could not find a coordinate for node "${node}"\n`);
  }
});

test('zero or three node names are a usage error with exit 1', async (t) => {
  for (const args of [['rtt'], ['rtt', 'a', 'b', 'c']]) {
    const res = await cli(t, args);
    t.is(res.code, 1);
    t.is(res.stdout, '');
    t.is(res.stderr, 'One or two node names must be specified\n');
  }
});

test('an unreachable agent is reported in one line with exit 1', async (t) => {
  const res = await runCli(['rtt', 'rtt-a', 'rtt-b'], { addr: '127.0.0.1:1' });
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error getting coordinates: .+\n$/);
});

test('-wan reads the servers as <node>.<datacenter> and says so', async (t) => {
  const server = `${t.context.agent.node}.dc1`;
  const self = await cli(t, ['rtt', '-wan', server]);
  t.is(self.code, 0, self.stderr);
  // A server to itself: both heights only.
  t.is(self.stdout, `Estimated ${server} <-> ${server} rtt: 0.020 ms (using WAN coordinates)\n`);
  const client = await cli(t, ['rtt', '-wan', 'rtt-a.dc1', server]);
  t.is(client.code, 1);
  t.is(client.stderr, 'Could not find a coordinate for node "rtt-a.dc1"\n', 'only servers have WAN entries');
  const bare = await cli(t, ['rtt', '-wan', 'rtt-a']);
  t.is(bare.code, 1);
  t.is(bare.stderr, 'Node names must be specified as <node name>.<datacenter> with -wan\n');
});
