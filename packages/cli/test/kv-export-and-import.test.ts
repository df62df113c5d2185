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

test('kv export prints a tab-indented JSON array of key, flags and base64 value', async (t) => {
  const prefix = uniqueName('exp');
  t.is((await cli(t, ['kv', 'put', '-flags=7', `${prefix}/a`, '1'])).code, 0);
  t.is((await cli(t, ['kv', 'put', `${prefix}/b`, '<&>'])).code, 0);
  const res = await cli(t, ['kv', 'export', prefix]);
  t.is(res.code, 0);
  t.is(
    res.stdout,
    `[\n\t{\n\t\t"key": "${prefix}/a",\n\t\t"flags": 7,\n\t\t"value": "MQ=="\n\t},\n` +
      `\t{\n\t\t"key": "${prefix}/b",\n\t\t"flags": 0,\n\t\t"value": "${Buffer.from('<&>').toString('base64')}"\n\t}\n]\n`,
  );
});

test('kv export of an empty prefix prints an empty array', async (t) => {
  const res = await cli(t, ['kv', 'export', uniqueName('none')]);
  t.is(res.stdout, '[]\n');
  t.is(res.code, 0);
});

test('kv import writes what kv export produced, under -prefix when given', async (t) => {
  const prefix = uniqueName('imp');
  t.is((await cli(t, ['kv', 'put', '-flags=3', `${prefix}/x`, 'ex'])).code, 0);
  const exported = (await cli(t, ['kv', 'export', prefix])).stdout;
  const target = uniqueName('copy');
  const res = await cli(t, ['kv', 'import', `-prefix=${target}`, '-'], exported);
  t.is(res.stdout, `Imported: ${target}/${prefix}/x\n`);
  t.is(res.code, 0);
  const detailed = (await cli(t, ['kv', 'get', '-detailed', `${target}/${prefix}/x`])).stdout;
  t.regex(detailed, /^Flags {12}3$/m);
  t.regex(detailed, /^Value {12}ex$/m);
});

test('kv import of invalid JSON fails with one line', async (t) => {
  const res = await cli(t, ['kv', 'import', '{not json']);
  t.regex(res.stderr, /^Cannot unmarshal data: .*\n$/);
  t.is(res.code, 1);
});

test('kv import without data says the argument is missing', async (t) => {
  const res = await cli(t, ['kv', 'import']);
  t.is(res.stderr, 'Error! Missing DATA argument\n');
  t.is(res.code, 1);
});
