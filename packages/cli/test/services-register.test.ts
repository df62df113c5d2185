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

const cli = (t: { context: { agent: RunningAgent } }, args: string[]) => runCli(args, { addr: t.context.agent.httpAddr });

async function agentServices(agent: RunningAgent): Promise<Record<string, Record<string, unknown> | undefined>> {
  const res = await fetch(`http://${agent.httpAddr}/v1/agent/services`);
  return (await res.json()) as Record<string, Record<string, unknown> | undefined>;
}

test('services register from flags registers with the local agent', async (t) => {
  const name = uniqueName('web');
  const res = await cli(t, ['services', 'register', `-name=${name}`, '-port=8080', '-tag=v1', '-tag=v2', '-meta=env=qa']);
  t.is(res.stdout, `Registered service: ${name}\n`);
  t.is(res.code, 0, res.stderr);
  const svc = (await agentServices(t.context.agent))[name];
  t.truthy(svc);
  t.is(svc?.Service, name);
  t.is(svc?.Port, 8080);
  t.deepEqual(svc?.Tags, ['v1', 'v2']);
  t.deepEqual(svc?.Meta, { env: 'qa' });

  const dereg = await cli(t, ['services', 'deregister', `-id=${name}`]);
  t.is(dereg.stdout, `Deregistered service: ${name}\n`);
  t.is(dereg.code, 0);
  t.is((await agentServices(t.context.agent))[name], undefined);
});

test('services register reads {"service": {...}} and {"services": [...]} files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'concord-svc-'));
  const one = uniqueName('api');
  const two = uniqueName('db');
  const three = uniqueName('cache');
  const single = join(dir, 'single.json');
  const many = join(dir, 'many.json');
  await writeFile(single, JSON.stringify({ service: { name: one, id: `${one}-1`, port: 80, tags: ['a'], enable_tag_override: true } }));
  await writeFile(
    many,
    JSON.stringify({
      services: [
        { Name: two, Port: 5432 },
        { name: three, meta: { Some_Key: 'x' } },
      ],
    }),
  );
  const res = await cli(t, ['services', 'register', single, many]);
  t.is(res.stdout, `Registered service: ${one}\nRegistered service: ${two}\nRegistered service: ${three}\n`);
  t.is(res.code, 0, res.stderr);
  const services = await agentServices(t.context.agent);
  t.is(services[`${one}-1`]?.Port, 80);
  t.is(services[`${one}-1`]?.EnableTagOverride, true);
  t.is(services[two]?.Port, 5432);
  t.deepEqual(services[three]?.Meta, { Some_Key: 'x' });

  const dereg = await cli(t, ['services', 'deregister', single, many]);
  t.is(dereg.stdout, `Deregistered service: ${one}-1\nDeregistered service: ${two}\nDeregistered service: ${three}\n`);
  const after = await agentServices(t.context.agent);
  t.is(after[`${one}-1`], undefined);
  t.is(after[two], undefined);
});

test('services register without a file or -name is refused', async (t) => {
  const res = await cli(t, ['services', 'register']);
  t.is(res.stderr, 'Service registration requires at least one argument or flags.\n');
  t.is(res.code, 1);
});

test('services register of a file with an unknown key fails with one line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'concord-svc-'));
  const file = join(dir, 'bad.json');
  await writeFile(file, JSON.stringify({ service: { name: 'x', bogus: 1 } }));
  const res = await cli(t, ['services', 'register', file]);
  t.regex(res.stderr, /^Error: .*invalid key "bogus"\n$/);
  t.is(res.code, 1);
});

test('services deregister without a file or -id is refused', async (t) => {
  const res = await cli(t, ['services', 'deregister']);
  t.is(res.stderr, 'Service deregistration requires at least one argument or -id.\n');
  t.is(res.code, 1);
});
