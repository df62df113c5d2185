import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent, uniqueName } from './_agent.js';

const test = anyTest as TestFn<{ agent: RunningAgent }>;

test.before(async (t) => {
  t.context.agent = await startAgent();
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
});

const cli = (t: { context: { agent: RunningAgent } }, args: string[]) => runCli(args, { addr: t.context.agent.httpAddr });

test('kv delete removes a key and reports success, also for a missing key', async (t) => {
  const key = uniqueName('del');
  t.is((await cli(t, ['kv', 'put', key, 'v'])).code, 0);
  const res = await cli(t, ['kv', 'delete', key]);
  t.is(res.stdout, `Success! Deleted key: ${key}\n`);
  t.is(res.code, 0);
  t.is((await cli(t, ['kv', 'get', key])).code, 1);
  const again = await cli(t, ['kv', 'delete', key]);
  t.is(again.stdout, `Success! Deleted key: ${key}\n`);
  t.is(again.code, 0);
});

test('kv delete -recurse removes every key with the prefix, greedy', async (t) => {
  const prefix = uniqueName('tree');
  for (const k of [prefix, `${prefix}/x`, `${prefix}q`]) t.is((await cli(t, ['kv', 'put', k, '1'])).code, 0);
  const res = await cli(t, ['kv', 'delete', '-recurse', prefix]);
  t.is(res.stdout, `Success! Deleted keys with prefix: ${prefix}\n`);
  const left = await cli(t, ['kv', 'get', '-recurse', prefix]);
  t.is(left.stdout, '');
});

test('kv delete -cas with a stale index fails and keeps the key', async (t) => {
  const key = uniqueName('delcas');
  t.is((await cli(t, ['kv', 'put', key, 'v'])).code, 0);
  const index = Number(/ModifyIndex\s+(\d+)/.exec((await cli(t, ['kv', 'get', '-detailed', key])).stdout)?.[1]);
  const stale = await cli(t, ['kv', 'delete', '-cas', `-modify-index=${index + 1000}`, key]);
  t.is(stale.stderr, `Error! Did not delete key ${key}: CAS failed\n`);
  t.is(stale.code, 1);
  const ok = await cli(t, ['kv', 'delete', '-cas', `-modify-index=${index}`, key]);
  t.is(ok.stdout, `Success! Deleted key: ${key}\n`);
  t.is(ok.code, 0);
});

test('kv delete refuses -cas together with -recurse', async (t) => {
  const res = await cli(t, ['kv', 'delete', '-cas', '-modify-index=3', '-recurse', 'p']);
  t.is(res.stderr, 'Cannot specify both -cas and -recurse!\n');
  t.is(res.code, 1);
});

test('kv delete refuses -modify-index without -cas', async (t) => {
  const res = await cli(t, ['kv', 'delete', '-modify-index=3', 'p']);
  t.is(res.stderr, 'Cannot specify -modify-index without -cas!\n');
  t.is(res.code, 1);
});

test('kv delete without a key needs -recurse', async (t) => {
  const res = await cli(t, ['kv', 'delete']);
  t.is(res.stderr, 'Error! Missing KEY argument\n');
  t.is(res.code, 1);
});
