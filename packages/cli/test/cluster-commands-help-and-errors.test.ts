import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';
import { closedAddr } from './_cluster.js';

const test = anyTest as TestFn<{ agent: RunningAgent; closed: string }>;

test.before(async (t) => {
  t.context.agent = await startAgent();
  t.context.closed = await closedAddr();
});

test.after.always(async (t) => {
  await t.context.agent?.stop();
});

/** Each command with arguments that are valid for it. */
const COMMANDS: readonly (readonly string[])[] = [
  ['join', '127.0.0.1:1'],
  ['leave'],
  ['force-leave', 'node'],
  ['members'],
  ['info'],
  ['operator', 'raft', 'list-peers'],
  ['operator', 'raft', 'remove-peer', '-id=x'],
  ['snapshot', 'save', '/tmp/concord-unreachable.snap'],
  ['snapshot', 'restore', 'packages/cli/package.json'],
  ['keyring', '-list'],
];

/** The words naming the command (up to the first flag or argument that is not a subcommand). */
function nameOf(args: readonly string[]): string {
  const words = args[0] === 'operator' ? 3 : args[0] === 'snapshot' ? 2 : 1;
  return args.slice(0, words).join(' ');
}

for (const args of [...COMMANDS, ['snapshot', 'inspect', 'f'], ['keygen']]) {
  const name = nameOf(args);

  test(`${name} -h prints its usage to stdout and exits 0`, async (t) => {
    const res = await runCli([...name.split(' '), '-h']);
    t.is(res.code, 0);
    t.is(res.stderr, '');
    t.true(res.stdout.startsWith(`Usage: concord ${name} `) || res.stdout.startsWith(`Usage: concord ${name}\n`), res.stdout);
  });

  test(`${name} with an unknown flag prints one line and exits 1`, async (t) => {
    const res = await runCli([...name.split(' '), '-no-such-flag', ...args.slice(name.split(' ').length)]);
    t.is(res.code, 1);
    t.is(res.stdout, '');
    t.is(res.stderr, 'flag provided but not defined: -no-such-flag\n');
  });
}

for (const args of COMMANDS) {
  test(`${nameOf(args)} against an unreachable agent prints one error line and exits 1`, async (t) => {
    const res = await runCli(args, { addr: t.context.closed });
    t.is(res.code, 1);
    const lines = res.stderr.trimEnd().split('\n');
    t.is(lines.length, 1, res.stderr);
    t.regex(lines[0] as string, /(Get|Put|Post|Delete) "http:\/\/127\.0\.0\.1:\d+\/v1\/[^"]+": .*ECONNREFUSED/);
  });
}

for (const args of [
  ['members', 'x'],
  ['info', 'x'],
  ['operator', 'raft', 'list-peers', 'x'],
  ['keyring', '-list', 'x'],
]) {
  test(`${nameOf(args)} with a stray argument says too many arguments`, async (t) => {
    const res = await runCli(args, { addr: t.context.agent.httpAddr });
    t.is(res.code, 1);
    t.is(res.stderr, 'Too many arguments (expected 0, got 1)\n');
  });
}

test('snapshot and operator raft without a subcommand print their help with the subcommands to stderr', async (t) => {
  const snap = await runCli(['snapshot']);
  t.is(snap.code, 1);
  t.regex(snap.stderr, /^Usage: concord snapshot <subcommand>/);
  for (const sub of ['inspect', 'restore', 'save']) t.regex(snap.stderr, new RegExp(`^    ${sub} +\\S`, 'm'));
  const raft = await runCli(['operator', 'raft']);
  t.is(raft.code, 1);
  for (const sub of ['list-peers', 'remove-peer']) t.regex(raft.stderr, new RegExp(`^    ${sub} +\\S`, 'm'));
});

test('the command list names every cluster command', async (t) => {
  const res = await runCli(['-h']);
  for (const name of ['force-leave', 'info', 'join', 'keygen', 'keyring', 'leave', 'members', 'operator', 'snapshot']) {
    t.regex(res.stdout, new RegExp(`^    ${name} +\\S`, 'm'));
  }
});

test('info prints every section of a server, each key once, sorted, as tab key = value', async (t) => {
  const res = await runCli(['info'], { addr: t.context.agent.httpAddr });
  t.is(res.code, 0, res.stderr);
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of res.stdout.trimEnd().split('\n')) {
    const header = /^([a-z_]+):$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1] as string, current);
      continue;
    }
    const kv = /^\t([a-z_]+) = (.*)$/.exec(line);
    t.truthy(kv && current, `unexpected line ${JSON.stringify(line)}`);
    current?.push(kv?.[1] as string);
  }
  for (const name of ['agent', 'build', 'consul', 'raft', 'runtime', 'serf_lan']) t.true(sections.has(name), name);
  t.deepEqual([...sections.keys()], [...sections.keys()].sort());
  for (const [name, keys] of sections) t.deepEqual(keys, [...keys].sort(), name);
  t.regex(res.stdout, /^consul:\n(\t.*\n)*\tleader = true\n/m);
  t.regex(res.stdout, /^raft:\n(\t.*\n)*\tstate = Leader\n/m);
});
