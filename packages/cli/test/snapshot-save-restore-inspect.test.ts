import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';
import { closedAddr, tableRows } from './_cluster.js';

const test = anyTest as TestFn<{ agent: RunningAgent; dir: string }>;

test.before(async (t) => {
  t.context.agent = await startAgent();
  t.context.dir = await mkdtemp(join(tmpdir(), 'concord-snap-'));
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

const cli = (t: { context: { agent: RunningAgent } }, args: string[]) => runCli(args, { addr: t.context.agent.httpAddr });

// Serial: restoring replaces the agent's whole state.
test.serial('save, change the data, restore: the saved data is back', async (t) => {
  const file = join(t.context.dir, 'backup.snap');
  for (const [k, v] of [
    ['snap/a', 'one'],
    ['snap/b', 'two'],
  ]) {
    t.is((await cli(t, ['kv', 'put', k as string, v as string])).code, 0);
  }
  const saved = await cli(t, ['snapshot', 'save', file]);
  t.is(saved.stderr, '');
  t.regex(saved.stdout, /^Saved and verified snapshot to index \d+\n$/);
  t.is(saved.code, 0);
  const index = Number(/index (\d+)/.exec(saved.stdout)?.[1]);
  t.true(index > 0);

  // Atomic write: only the final file, private to its owner, holding the document the agent gave.
  t.deepEqual(await readdir(t.context.dir), ['backup.snap']);
  t.is((await stat(file)).mode & 0o777, 0o600);
  const doc = JSON.parse(gunzipSync(await readFile(file)).toString('utf8')) as { format: string; index: number };
  t.is(doc.format, 'concord-snapshot');
  t.is(doc.index, index);

  await cli(t, ['kv', 'put', 'snap/a', 'changed']);
  await cli(t, ['kv', 'delete', 'snap/b']);
  await cli(t, ['kv', 'put', 'snap/c', 'new']);
  t.is((await cli(t, ['kv', 'get', 'snap/a'])).stdout, 'changed\n');

  const restored = await cli(t, ['snapshot', 'restore', file]);
  t.is(restored.stderr, '');
  t.is(restored.stdout, 'Restored snapshot\n');
  t.is(restored.code, 0);
  t.is((await cli(t, ['kv', 'get', 'snap/a'])).stdout, 'one\n');
  t.is((await cli(t, ['kv', 'get', 'snap/b'])).stdout, 'two\n');
  const c = await cli(t, ['kv', 'get', 'snap/c']);
  t.is(c.code, 1);
  t.is(c.stderr, 'Error! No key exists at: snap/c\n');
});

test.serial('inspect prints the index and the count of each kind of entry', async (t) => {
  const file = join(t.context.dir, 'inspect.snap');
  await cli(t, ['kv', 'put', 'inspect/x', '1']);
  const coord = { Vec: [0, 0, 0, 0, 0, 0, 0, 0.001], Error: 0.5, Adjustment: 0, Height: 1e-5 };
  // The dev agent registers its own node shortly after start (or after a restore).
  const putCoord = () =>
    fetch(`${t.context.agent.base}/v1/coordinate/update`, {
      method: 'PUT',
      body: JSON.stringify({ Node: t.context.agent.node, Coord: coord }),
      signal: AbortSignal.timeout(10_000),
    });
  let put = await putCoord();
  for (let i = 0; i < 40 && put.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 250));
    put = await putCoord();
  }
  t.is(put.status, 200, await put.text());
  const query = await fetch(`${t.context.agent.base}/v1/query`, {
    method: 'POST',
    body: JSON.stringify({ Name: 'inspect-q', Service: { Service: 'web' } }),
    signal: AbortSignal.timeout(10_000),
  });
  t.is(query.status, 200, await query.text());
  const saved = await cli(t, ['snapshot', 'save', file]);
  t.is(saved.code, 0, saved.stderr);
  const index = /index (\d+)/.exec(saved.stdout)?.[1];
  const keys = (await cli(t, ['kv', 'get', '-keys', '-separator=', ''])).stdout.trimEnd().split('\n');
  const nodes = tableRows((await cli(t, ['catalog', 'nodes'])).stdout).length - 1;

  const res = await cli(t, ['snapshot', 'inspect', file]);
  t.is(res.code, 0, res.stderr);
  const [meta = '', table = ''] = res.stdout.split('\n\n');
  t.regex(meta, new RegExp(`^ Index +${index}$`, 'm'));
  t.regex(meta, /^ Datacenter +dc1$/m);
  t.regex(meta, new RegExp(`^ Size +${(await stat(file)).size}$`, 'm'));
  const rows = tableRows(table).map((r) => r.map((c) => c.trim()));
  t.deepEqual(rows[0], ['Type', 'Count', 'Size']);
  const count = (name: string) => Number(rows.find((r) => r[0] === name)?.[1]);
  t.is(count('KVS'), keys.length);
  t.is(count('Node'), nodes);
  t.is(count('Service'), 1);
  t.is(count('Session'), 0);
  t.is(count('Coordinate'), 1, 'the agent node has one coordinate');
  t.is(count('PreparedQuery'), 1);
  t.deepEqual(rows.at(-1)?.[0], 'Total');

  const json = await cli(t, ['snapshot', 'inspect', '-format=json', file]);
  t.is(json.code, 0, json.stderr);
  const info = JSON.parse(json.stdout) as { Meta: { Index: number }; Stats: { Name: string; Count: number }[] };
  t.is(info.Meta.Index, Number(index));
  t.is(info.Stats.find((s) => s.Name === 'KVS')?.Count, keys.length);
});

test('save -append-filename adds version, datacenter, node and leadership before the extension', async (t) => {
  const dir = await mkdtemp(join(t.context.dir, 'named-'));
  const version = /^\tversion = (.+)$/m.exec((await cli(t, ['info'])).stdout)?.[1];
  const res = await cli(t, ['snapshot', 'save', '-append-filename=status,node,dc,version', join(dir, 'b.snap')]);
  t.is(res.code, 0, res.stderr);
  t.deepEqual(await readdir(dir), [`b-${version}-dc1-${t.context.agent.node}-leader.snap`]);
});

test('inspect of a file that is not a snapshot says so', async (t) => {
  const file = join(t.context.dir, 'not-a.snap');
  await writeFile(file, 'hello');
  const res = await runCli(['snapshot', 'inspect', file]);
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error reading snapshot: not a gzip-compressed JSON snapshot \(.+\)\n$/);
  const format = await runCli(['snapshot', 'inspect', '-format=xml', file]);
  t.is(format.stderr, 'Error outputting enhanced snapshot data: Unknown format: xml\n');
});

test('restore of a file that is not a snapshot is refused by the agent and changes nothing', async (t) => {
  const file = join(t.context.dir, 'garbage.snap');
  await writeFile(file, 'garbage');
  await cli(t, ['kv', 'put', 'garbage/kept', 'yes']);
  const res = await cli(t, ['snapshot', 'restore', file]);
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error restoring snapshot: Unexpected response code: 400 \(Invalid snapshot: .+\)\n$/);
  t.is((await cli(t, ['kv', 'get', 'garbage/kept'])).stdout, 'yes\n');
});

test('save into a missing directory fails and leaves no file behind', async (t) => {
  const file = join(t.context.dir, 'missing', 'x.snap');
  const res = await cli(t, ['snapshot', 'save', file]);
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error writing unverified snapshot file: .*ENOENT.*\n$/);
  t.false((await readdir(t.context.dir)).includes('missing'));
});

test('the snapshot commands take exactly one FILE argument', async (t) => {
  for (const sub of ['save', 'restore', 'inspect']) {
    const missing = await cli(t, ['snapshot', sub]);
    t.is(missing.code, 1);
    t.is(missing.stderr, 'Missing FILE argument\n');
    const many = await cli(t, ['snapshot', sub, 'a', 'b']);
    t.is(many.code, 1);
    t.is(many.stderr, 'Too many arguments (expected 1, got 2)\n');
  }
});

test('restore of a missing file and save against an unreachable agent print one line', async (t) => {
  const missing = await cli(t, ['snapshot', 'restore', join(t.context.dir, 'nope.snap')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^Error opening snapshot file: ENOENT: .*\n$/);
  const file = join(t.context.dir, 'unreachable.snap');
  const res = await runCli(['snapshot', 'save', file], { addr: await closedAddr() });
  t.is(res.code, 1);
  t.regex(res.stderr, /^Error saving snapshot: Get "http:\/\/127\.0\.0\.1:\d+\/v1\/snapshot": .*ECONNREFUSED.*\n$/);
  t.false((await readdir(t.context.dir)).some((f) => f.startsWith('unreachable')));
});
