import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

const test = anyTest as TestFn<{ agent: RunningAgent }>;

test.before(async (t) => {
  t.context.agent = await startAgent();
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
});

const cli = (t: { context: { agent: RunningAgent } }, args: string[]) => runCli(args, { addr: t.context.agent.httpAddr });

/** Retries a command until its check passes (the dev agent registers itself shortly after start). */
async function eventually(
  t: { context: { agent: RunningAgent } },
  args: string[],
  ok: (stdout: string) => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await cli(t, args);
    if (ok(res.stdout) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('members prints the table header and this agent as an alive server', async (t) => {
  const res = await cli(t, ['members']);
  t.is(res.code, 0, res.stderr);
  const [header, ...rows] = res.stdout.trimEnd().split('\n');
  t.deepEqual(header?.split(/\s+/), ['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']);
  const mine = rows.find((r) => r.startsWith(`${t.context.agent.node} `));
  t.truthy(mine, res.stdout);
  const cols = (mine as string).split(/\s+/);
  t.regex(cols[1] as string, /^127\.0\.0\.1:\d+$/);
  t.is(cols[2], 'alive');
  t.is(cols[3], 'server');
  t.is(cols[6], 'dc1');
  t.is(cols[7], 'default');
  t.is(cols[8], '<all>');
});

test('members columns line up under their headers', async (t) => {
  const res = await cli(t, ['members']);
  const lines = res.stdout.trimEnd().split('\n');
  const header = lines[0] as string;
  for (const name of ['Address', 'Status', 'Type', 'Build', 'Protocol', 'DC']) {
    const at = header.indexOf(name);
    for (const line of lines.slice(1)) {
      t.is(line[at - 1], ' ', line);
      t.not(line[at], ' ', line);
    }
  }
});

test('members -status with no match exits 2 and prints nothing', async (t) => {
  const res = await cli(t, ['members', '-status=failed']);
  t.is(res.code, 2);
  t.is(res.stdout, '');
});

test('members -detailed prints sorted k=v tags', async (t) => {
  const res = await cli(t, ['members', '-detailed']);
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /^Node\s+Address\s+Status\s+Tags\n/);
  t.regex(res.stdout, /dc=dc1/);
  t.regex(res.stdout, /role=consul/);
});

test('operator raft list-peers shows exactly one leader', async (t) => {
  const res = await eventually(t, ['operator', 'raft', 'list-peers'], (out) => /\bleader\b/.test(out));
  t.is(res.code, 0, res.stderr);
  const lines = res.stdout.trimEnd().split('\n');
  t.regex(lines[0] as string, /^Node\s+ID\s+Address\s+State\s+Voter\s+RaftProtocol/);
  t.is(lines.slice(1).filter((l) => /\sleader\s/.test(` ${l} `)).length, 1);
  t.true(lines.some((l) => l.startsWith(`${t.context.agent.node} `)));
});

test('info prints sorted sections with tab-indented key = value lines', async (t) => {
  const res = await cli(t, ['info']);
  t.is(res.code, 0, res.stderr);
  const sections = res.stdout.split('\n').filter((l) => /^[a-z_]+:$/.test(l));
  t.true(sections.includes('agent:'));
  t.true(sections.includes('consul:'));
  t.deepEqual(sections, [...sections].sort());
  t.regex(res.stdout, /^\tserver = true$/m);
});

test('catalog services lists the consul service', async (t) => {
  const res = await eventually(t, ['catalog', 'services'], (out) => out.split('\n').includes('consul'));
  t.is(res.code, 0, res.stderr);
  t.true(res.stdout.split('\n').includes('consul'));
});

test('catalog nodes prints Node ID Address DC with the short ID', async (t) => {
  const res = await eventually(t, ['catalog', 'nodes'], (out) => out.includes(t.context.agent.node));
  t.is(res.code, 0, res.stderr);
  const [header, ...rows] = res.stdout.trimEnd().split('\n');
  t.deepEqual(header?.split(/\s+/), ['Node', 'ID', 'Address', 'DC']);
  const mine = rows.find((r) => r.startsWith(`${t.context.agent.node} `))?.split(/\s+/);
  t.truthy(mine);
  t.regex(mine?.[1] ?? '', /^[0-9a-f]{8}$/);
  t.is(mine?.[2], '127.0.0.1');
  t.is(mine?.[3], 'dc1');
});

test('catalog nodes -detailed shows the full ID and tagged addresses', async (t) => {
  const res = await eventually(t, ['catalog', 'nodes', '-detailed'], (out) => out.includes(t.context.agent.node));
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /^Node\s+ID\s+Address\s+DC\s+TaggedAddresses\s+Meta\n/);
  t.regex(res.stdout, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
});

test('catalog services with an argument says too many arguments', async (t) => {
  const res = await cli(t, ['catalog', 'services', 'x']);
  t.is(res.stderr, 'Too many arguments (expected 0, got 1)\n');
  t.is(res.code, 1);
});
