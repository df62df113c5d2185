import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent, uniqueName } from './_agent.js';

const test = anyTest as TestFn<{ agent: RunningAgent }>;

test.before(async (t) => {
  t.context.agent = await startAgent();
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
});

const cli = (t: { context: { agent: RunningAgent } }, args: string[], stdin?: string) =>
  runCli(args, { addr: t.context.agent.httpAddr, ...(stdin === undefined ? {} : { stdin }) });

test('kv put prints the success line and kv get prints the raw value', async (t) => {
  const key = uniqueName('a');
  const put = await cli(t, ['kv', 'put', key, 'hello world']);
  t.is(put.stdout, `Success! Data written to: ${key}\n`);
  t.is(put.stderr, '');
  t.is(put.code, 0);
  const get = await cli(t, ['kv', 'get', key]);
  t.is(get.stdout, 'hello world\n');
  t.is(get.code, 0);
});

test('kv get of a missing key reports it on stderr and exits 1', async (t) => {
  const res = await cli(t, ['kv', 'get', 'nope']);
  t.is(res.stderr, 'Error! No key exists at: nope\n');
  t.is(res.stdout, '');
  t.is(res.code, 1);
});

test('kv get with two arguments says too many arguments', async (t) => {
  const res = await cli(t, ['kv', 'get', 'a', 'b']);
  t.is(res.stderr, 'Too many arguments (expected 1, got 2)\n');
  t.is(res.code, 1);
});

test('kv get without a key needs -recurse or -keys', async (t) => {
  const res = await cli(t, ['kv', 'get']);
  t.is(res.stderr, 'Error! Missing KEY argument\n');
  t.is(res.code, 1);
});

test('kv put without a value stores an empty value that kv get prints as an empty line', async (t) => {
  const key = uniqueName('empty');
  t.is((await cli(t, ['kv', 'put', key])).code, 0);
  const get = await cli(t, ['kv', 'get', key]);
  t.is(get.stdout, '\n');
  t.is(get.code, 0);
});

test('kv put reads the value from stdin with - and from a file with @', async (t) => {
  const fromStdin = uniqueName('stdin');
  t.is((await cli(t, ['kv', 'put', fromStdin, '-'], 'piped\nvalue')).code, 0);
  t.is((await cli(t, ['kv', 'get', fromStdin])).stdout, 'piped\nvalue\n');

  const dir = await mkdtemp(join(tmpdir(), 'concord-cli-'));
  const file = join(dir, 'value.txt');
  await writeFile(file, 'from a file');
  const fromFile = uniqueName('file');
  t.is((await cli(t, ['kv', 'put', fromFile, `@${file}`])).code, 0);
  t.is((await cli(t, ['kv', 'get', fromFile])).stdout, 'from a file\n');
});

test('kv put with a missing @file fails with one line', async (t) => {
  const res = await cli(t, ['kv', 'put', uniqueName('x'), '@/nonexistent/concord-file']);
  t.regex(res.stderr, /^Error! Failed to read file: .*\n$/);
  t.is(res.code, 1);
});

test('kv put -base64 decodes the value and kv get -base64 encodes it', async (t) => {
  const key = uniqueName('b64');
  t.is((await cli(t, ['kv', 'put', '-base64', key, Buffer.from('binary?').toString('base64')])).code, 0);
  t.is((await cli(t, ['kv', 'get', key])).stdout, 'binary?\n');
  t.is((await cli(t, ['kv', 'get', '-base64', '-detailed', key])).stdout.split('\n').at(-2), `Value            ${Buffer.from('binary?').toString('base64')}`);
});

test('kv get -detailed prints the metadata aligned like Consul', async (t) => {
  const key = uniqueName('detailed');
  t.is((await cli(t, ['kv', 'put', '-flags=42', key, 'v'])).code, 0);
  const res = await cli(t, ['kv', 'get', '-detailed', key]);
  t.is(res.code, 0);
  const lines = res.stdout.split('\n');
  t.regex(lines[0] as string, /^CreateIndex {6}\d+$/);
  t.is(lines[1], 'Flags            42');
  t.is(lines[2], `Key              ${key}`);
  t.is(lines[3], 'LockIndex        0');
  t.regex(lines[4] as string, /^ModifyIndex {6}\d+$/);
  t.is(lines[5], 'Session          -');
  t.is(lines[6], 'Value            v');
  t.is(lines.length, 8);
});

test('kv get -recurse prints key:value lines sorted by key', async (t) => {
  const prefix = uniqueName('rec');
  for (const [k, v] of [
    ['b', '2'],
    ['a', '1'],
    ['c/d', '3'],
  ] as const) {
    t.is((await cli(t, ['kv', 'put', `${prefix}/${k}`, v])).code, 0);
  }
  const res = await cli(t, ['kv', 'get', '-recurse', prefix]);
  t.is(res.stdout, `${prefix}/a:1\n${prefix}/b:2\n${prefix}/c/d:3\n`);
  t.is(res.code, 0);
});

test('kv get -keys collapses sub-folders at the separator', async (t) => {
  const prefix = uniqueName('keys');
  for (const k of ['x', 'y', 'sub/one', 'sub/two']) {
    t.is((await cli(t, ['kv', 'put', `${prefix}/${k}`, '1'])).code, 0);
  }
  const res = await cli(t, ['kv', 'get', '-keys', `${prefix}/`]);
  t.is(res.stdout, `${prefix}/sub/\n${prefix}/x\n${prefix}/y\n`);
  const flat = await cli(t, ['kv', 'get', '-keys', '-separator=', `${prefix}/`]);
  t.is(flat.stdout, `${prefix}/sub/one\n${prefix}/sub/two\n${prefix}/x\n${prefix}/y\n`);
});

test('kv put -cas succeeds with the current index and fails with a stale one', async (t) => {
  const key = uniqueName('cas');
  t.is((await cli(t, ['kv', 'put', key, 'one'])).code, 0);
  const detailed = await cli(t, ['kv', 'get', '-detailed', key]);
  const index = /ModifyIndex\s+(\d+)/.exec(detailed.stdout)?.[1];
  t.truthy(index);
  const ok = await cli(t, ['kv', 'put', '-cas', `-modify-index=${index}`, key, 'two']);
  t.is(ok.stdout, `Success! Data written to: ${key}\n`);
  t.is(ok.code, 0);
  const stale = await cli(t, ['kv', 'put', '-cas', `-modify-index=${index}`, key, 'three']);
  t.is(stale.stderr, `Error! Did not write to ${key}: CAS failed\n`);
  t.is(stale.code, 1);
  t.is((await cli(t, ['kv', 'get', key])).stdout, 'two\n');
});

test('kv put -cas without -modify-index is refused', async (t) => {
  const res = await cli(t, ['kv', 'put', '-cas', 'k', 'v']);
  t.is(res.stderr, 'Must specify -modify-index with -cas!\n');
  t.is(res.code, 1);
});

test('kv put -acquire without -session is refused', async (t) => {
  const res = await cli(t, ['kv', 'put', '-acquire', 'k', 'v']);
  t.is(res.stderr, 'Error! Missing -session (required with -acquire and -release)\n');
  t.is(res.code, 1);
});

test('kv put with three arguments says too many arguments', async (t) => {
  const res = await cli(t, ['kv', 'put', 'a', 'b', 'c']);
  t.is(res.stderr, 'Error! Too many arguments (expected 1 or 2, got 3)\n');
  t.is(res.code, 1);
});

test('a leading slash in the key is stripped by kv get', async (t) => {
  const key = uniqueName('slash');
  t.is((await cli(t, ['kv', 'put', key, 'v'])).code, 0);
  t.is((await cli(t, ['kv', 'get', `/${key}`])).stdout, 'v\n');
});

test('an unknown flag gives a one-line error and exit 1', async (t) => {
  const res = await cli(t, ['kv', 'put', '-bogus', 'k', 'v']);
  t.is(res.stderr, 'flag provided but not defined: -bogus\n');
  t.is(res.code, 1);
});
