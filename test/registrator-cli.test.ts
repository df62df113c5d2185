/**
 * `concord registrator` as a process: registrator's command-line errors, a
 * run that registers a container and serves its metrics, and the consulkv form.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import { ConsulApi } from '@concord/api';
import { BIN, ROOT, concord, startDevAgent } from './_agent.js';
import { docker, dockerTest, ensureTestImages, imageRef, publishedPort, uniqueName } from './_docker.js';
import { apiFor, catalogHas, run, within } from './_registrator.js';

test('bad command lines are refused with one clear line and a non-zero status', async (t) => {
  const cases: Array<[string[], number, RegExp]> = [
    [[], 2, /Missing required argument for registry URI/],
    [['consul://a:1', 'extra'], 2, /Extra unparsed arguments: extra\nOptions should come before the registry URI argument/],
    [['-nosuch', 'consul://a:1'], 2, /flag provided but not defined: -nosuch/],
    [['-deregister', 'sometimes', 'consul://a:1'], 1, /-deregister must be "always" or "on-success"/],
    [['-ttl', '10', 'consul://a:1'], 1, /-ttl and -ttl-refresh must be both 0/],
    [['-ttl', '5', '-ttl-refresh', '5', 'consul://a:1'], 1, /-ttl must be greater than -ttl-refresh/],
    [['-retry-interval', '0', 'consul://a:1'], 1, /-retry-interval must be greater than 0/],
    [['etcd://a:2379/x'], 1, /unrecognized adapter: etcd:\/\/a:2379\/x/],
    [['consulkv://a:8500'], 1, /consulkv needs a key prefix/],
    [['-tags', '{{ nosuch .Name }}', 'consul://a:1'], 1, /^-tags: template: tags:1: function "nosuch" not defined$/m],
    [['-log-level', 'loud', 'consul://a:1'], 1, /-log-level must be one of/],
    [['-docker', 'ftp://x', 'consul://a:1'], 1, /bad Docker address/],
  ];
  const results = await Promise.all(cases.map(([args]) => concord(['registrator', ...args], '127.0.0.1:1')));
  cases.forEach(([args, code, message], i) => {
    const r = results[i] as (typeof results)[number];
    t.is(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message, args.join(' '));
  });
});

test('an unreachable registry ends start-up after -retry-attempts with status 1', async (t) => {
  const r = await concord(['registrator', '-hostname', 'node7', '-retry-attempts', '1', '-retry-interval', '100', 'consul://127.0.0.1:1'], '127.0.0.1:1');
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot reach the registry at 127\.0\.0\.1:1/);
});

test('help lists the registrator flags', async (t) => {
  const r = await concord(['registrator', '-h'], '127.0.0.1:1');
  t.is(r.code, 0);
  for (const flag of [
    '-ip',
    '-internal',
    '-explicit',
    '-useIpFromLabel',
    '-tags',
    '-ttl',
    '-ttl-refresh',
    '-resync',
    '-retry-attempts',
    '-retry-interval',
    '-deregister',
    '-cleanup',
    '-hostname',
    '-docker',
    '-metrics-port',
  ]) {
    t.true(r.stdout.includes(`  ${flag}`), flag);
  }
});

interface Running {
  readonly child: ChildProcess;
  output(): string;
}

function startRegistrator(t: ExecutionContext, args: readonly string[]): Running {
  const child = spawn(process.execPath, [BIN, 'registrator', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  return { child, output: () => output };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

dockerTest('the command registers a container, serves its metrics, and exits 0 on SIGTERM leaving registrations in place', async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const api = apiFor(agent);
  const label = `concord.test=${uniqueName('cli')}`;
  const r = startRegistrator(t, ['-ip', '127.0.0.1', '-hostname', 'node7', '-require-label', label, '-metrics-port', '0', '-log-json', `consul://${agent.httpAddr}`]);
  const metricsPort = await within(10_000, 'metrics port in the log', async () => {
    const m = /"port":(\d+),"msg":"serving metrics"/.exec(r.output());
    return m ? Number(m[1]) : undefined;
  });
  const c = uniqueName('clirun');
  await run(t, { label }, c, ['-p', '80', '-e', 'SERVICE_NAME=cliweb', imageRef('nginx')]);
  const [entry] = await catalogHas(api, 'cliweb', 1);
  t.is(entry?.ServicePort, await publishedPort(c, '80/tcp'));
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  t.regex(metrics, /^registrator_registrations_total 1$/m);
  t.regex(metrics, /^registrator_event_lag_seconds_count [1-9]/m);
  t.regex(metrics, /^# TYPE registrator_errors_total counter$/m);
  process.kill(r.child.pid as number, 'SIGTERM');
  t.is(await exitOf(r.child), 0);
  t.is((await catalogHas(api, 'cliweb', 1)).length, 1, 'stopping the sidecar deregisters nothing');
});

dockerTest('consulkv:// writes <prefix>/<name>/<id> = "<ip>:<port>" and deletes it when the container stops', async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const kv = new ConsulApi({ address: agent.httpAddr }).kv;
  const label = `concord.test=${uniqueName('kv')}`;
  const r = startRegistrator(t, ['-ip', '127.0.0.1', '-hostname', 'node7', '-require-label', label, `consulkv://${agent.httpAddr}/services`]);
  await within(10_000, 'registrator started', async () => r.output().includes('registrator started'));
  const c = uniqueName('kvweb');
  await run(t, { label }, c, ['-p', '80', '-e', 'SERVICE_NAME=kvweb', imageRef('nginx')]);
  const key = `services/kvweb/node7:${c}:80`;
  const pair = await within(2000, 'the KV entry', async () => (await kv.get(key)).value);
  t.is(pair.Value?.toString('utf8'), `127.0.0.1:${await publishedPort(c, '80/tcp')}`);
  await docker(['stop', c]);
  await within(2000, 'the KV entry removed', async () => (await kv.get(key)).value === undefined);
  t.pass();
});
