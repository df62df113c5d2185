import type { UserEvent } from '@concord/api';
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

type Listed = UserEvent;

async function listed(t: { context: { agent: RunningAgent } }, name: string): Promise<Listed[]> {
  const res = await fetch(`http://${t.context.agent.httpAddr}/v1/event/list?name=${encodeURIComponent(name)}`);
  return (await res.json()) as Listed[];
}

test('concord event prints the event ID and the agent lists the event with its payload and filters', async (t) => {
  const name = uniqueName('deploy');
  const res = await cli(t, ['event', '-name', name, '-node', '.', '-service', 'web', '-tag', 'v1', 'release-42']);
  t.is(res.stderr, '');
  t.is(res.code, 0);
  const m = /^Event ID: ([0-9a-f-]{36})\n$/.exec(res.stdout);
  t.truthy(m, res.stdout);
  const events = await listed(t, name);
  t.is(events.length, 0, 'the dev agent runs no service named web, so the filter keeps it out');
  const plain = await cli(t, ['event', `-name=${name}`, 'release-43']);
  t.is(plain.code, 0);
  const id = /^Event ID: (\S+)\n$/.exec(plain.stdout)?.[1];
  const after = await listed(t, name);
  t.deepEqual(
    after.map((e) => [e.ID, Buffer.from(e.Payload ?? '', 'base64').toString()]),
    [[id, 'release-43']],
  );
});

test('an event without a payload is listed with a null Payload', async (t) => {
  const name = uniqueName('bare');
  const res = await cli(t, ['event', '-name', name]);
  t.is(res.code, 0);
  const events = await listed(t, name);
  t.is(events.length, 1);
  t.is(events[0]?.Payload, null);
});

const errors: { what: string; args: string[]; stderr: string }[] = [
  { what: 'no name', args: ['event', 'payload'], stderr: 'Event name must be specified\n' },
  {
    what: 'a node filter that does not compile',
    args: ['event', '-name', 'x', '-node', '('],
    stderr: 'Failed to compile node filter regexp: error parsing regexp: missing closing ): `(`\n',
  },
  {
    what: 'a service filter that does not compile',
    args: ['event', '-name', 'x', '-service', 'a**'],
    stderr: 'Failed to compile service filter regexp: error parsing regexp: invalid nested repetition operator: `**`\n',
  },
  { what: 'a tag filter without a service filter', args: ['event', '-name', 'x', '-tag', 'v1'], stderr: 'Cannot provide tag filter without service filter.\n' },
  { what: 'two payloads', args: ['event', '-name', 'x', 'a', 'b'], stderr: 'Too many command line arguments.\n' },
  {
    what: 'a payload over the limit',
    args: ['event', '-name', 'x', 'p'.repeat(600)],
    stderr: 'Error firing event: Unexpected response code: 400 (user event exceeds configured limit of 512 bytes before encoding)\n',
  },
];

for (const row of errors) {
  test(`concord event with ${row.what} says so on stderr and exits 1`, async (t) => {
    const res = await cli(t, row.args);
    t.is(res.stderr, row.stderr);
    t.is(res.stdout, '');
    t.is(res.code, 1);
  });
}

test('concord event against an agent that is not there says it could not query the agent', async (t) => {
  const res = await runCli(['event', '-name', 'x'], { addr: '127.0.0.1:1' });
  t.regex(res.stderr, /^Error querying Consul agent: .+\n$/);
  t.is(res.code, 1);
});
