import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import Consul from 'consul';
import { ConsulApi } from '@concord/api';
import { type AgentProcess, BIN, ROOT, eventually, fileScope, runCli, startAgent, stopChild } from '@concord/testkit';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let api: ConsulApi;
test.before(async () => {
  agent = await startAgent(scope);
  api = new ConsulApi({ address: agent.httpAddr });
});

const LOCK_FLAGS = 0x2ddccbc058a50c18n.toString();
const SEMAPHORE_FLAGS = 0xe0f69a2baa414de0n.toString();

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startLock(t: ExecutionContext, args: readonly string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: agent.httpAddr };
  delete env.CONCORD_HTTP_ADDR;
  const child = spawn(process.execPath, [BIN, 'lock', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => stopChild(child, 'SIGKILL').then(() => undefined));
  return { child, exited, output: () => output };
}

const raw = async (path: string): Promise<string> => (await fetch(`${agent.base}${path}`)).text();

/** Most children inside at once, from a log of "+" (enter) and "-" (leave) lines. */
function maxInside(log: string): number {
  let inside = 0;
  let max = 0;
  for (const l of log.split('\n')) {
    if (l === '+') max = Math.max(max, ++inside);
    if (l === '-') inside--;
  }
  return max;
}

test.serial("a lock runs one child at a time on Consul's key layout, visible to the consul npm client, and cleans up", async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'log');
  const script = `echo + >> ${log}; sleep 1.5; echo - >> ${log}`;
  const a = startLock(t, ['-name', 'lock-a', 'jobs/nightly', script]);
  const held = await eventually(
    async () => {
      const body = await raw('/v1/kv/jobs/nightly/.lock');
      return body.includes('"Session"') ? body : undefined;
    },
    60_000,
    'lock key held',
  );
  t.true(held.includes(`"Flags":${LOCK_FLAGS},`), "Consul's lock flags, exact");
  const consul = new Consul({ host: '127.0.0.1', port: agent.port });
  const pair = (await consul.kv.get('jobs/nightly/.lock')) as unknown as { Session: string };
  const info = (await consul.session.info(pair.Session)) as unknown as { Name: string } | Array<{ Name: string }>;
  t.is(Array.isArray(info) ? info[0]?.Name : info.Name, 'lock-a');
  // Another client's session cannot take the key while it is held.
  const other = await consul.session.create({ name: 'npm-client', ttl: '30s' });
  t.not(await consul.kv.set({ key: 'jobs/nightly/.lock', value: '', acquire: other.ID }), true);
  t.is(((await consul.kv.get('jobs/nightly/.lock')) as unknown as { Session: string }).Session, pair.Session);
  const b = startLock(t, ['jobs/nightly', script]);
  t.is(await a.exited, 0, a.output());
  t.is(await b.exited, 0, b.output());
  t.is(readFileSync(log, 'utf8'), '+\n-\n+\n-\n');
  await consul.session.destroy(other.ID);
  await eventually(async () => (await api.kv.get('jobs/nightly/.lock')).value === undefined, 60_000, 'lock key removed');
  const sessions = (await api.session.list()).value.filter((s) => s.Name === 'lock-a' || s.Name === `Consul lock for ${script} at jobs/nightly`);
  t.deepEqual(sessions, [], 'sessions destroyed');
});

test.serial("-n 2 is a semaphore: at most two children at once, on Consul's semaphore layout", async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'log');
  const script = `echo + >> ${log}; sleep 1.5; echo - >> ${log}`;
  const procs = [1, 2, 3].map(() => startLock(t, ['-n', '2', 'pool/db', script]));
  const lockBody = await eventually(
    async () => {
      const body = await raw('/v1/kv/pool/db/.lock');
      return body.startsWith('[') ? body : undefined;
    },
    60_000,
    'semaphore lock key',
  );
  t.true(lockBody.includes(`"Flags":${SEMAPHORE_FLAGS},`));
  const value = JSON.parse(Buffer.from((JSON.parse(lockBody) as Array<{ Value: string }>)[0]?.Value as string, 'base64').toString()) as {
    Limit: number;
    Holders: Record<string, boolean>;
  };
  t.is(value.Limit, 2);
  for (const p of procs) t.is(await p.exited, 0, p.output());
  const lines = readFileSync(log, 'utf8');
  t.is(lines.split('\n').filter((l) => l === '+').length, 3);
  t.is(maxInside(lines), 2);
  t.deepEqual((await api.kv.list('pool/db/')).value, [], 'contender and lock keys removed');
  const holder = startLock(t, ['-n', '2', 'pool/db', 'sleep 60']);
  await eventually(async () => (await raw('/v1/kv/pool/db/.lock')).startsWith('['), 60_000, 'held');
  const conflict = await runCli(['lock', '-n', '3', 'pool/db', 'true'], { addr: agent.httpAddr });
  t.is(conflict.code, 1);
  t.regex(conflict.stderr, /Lock acquisition failed: semaphore limit conflict \(lock: 2, local: 3\)/);
  holder.child.kill('SIGTERM');
  t.is(await holder.exited, 0);
});

test.serial('the child is terminated when the lock is lost', async (t) => {
  const dir = tempDir(t);
  const marker = join(dir, 'terminated');
  const ready = join(dir, 'trap-set');
  const p = startLock(t, ['svc/leader', `trap 'echo term > ${marker}; exit 0' TERM; : > ${ready}; while true; do sleep 0.2; done`]);
  const pair = await eventually(async () => (await api.kv.get('svc/leader/.lock')).value?.Session, 60_000, 'lock held');
  // The session is destroyed only once the child has set its trap (a TERM before that kills the shell outright).
  await eventually(async () => existsSync(ready) || undefined, 60_000, 'the child to set its trap');
  await api.session.destroy(pair);
  t.is(await p.exited, 1);
  t.true(existsSync(marker), p.output());
  t.regex(p.output(), /Lock lost, killing child/);
});

test.serial('-child-exit-code, -timeout and bad input', async (t) => {
  const addr = agent.httpAddr;
  t.is((await runCli(['lock', 'x/a', 'exit 3'], { addr })).code, 0);
  t.is((await runCli(['lock', '-child-exit-code', 'x/a', 'exit 3'], { addr })).code, 2);
  const holder = startLock(t, ['x/busy', 'sleep 60']);
  await eventually(async () => (await api.kv.get('x/busy/.lock')).value?.Session, 60_000, 'held');
  const timedOut = await runCli(['lock', '-timeout', '500ms', 'x/busy', 'true'], { addr });
  t.is(timedOut.code, 1);
  t.regex(timedOut.stderr, /Shutdown triggered or timeout during lock acquisition/);
  holder.child.kill('SIGTERM');
  t.is(await holder.exited, 0);
  t.regex(holder.output(), /Shutdown triggered, killing child/);
  t.is((await api.kv.get('x/busy/.lock')).value, undefined, 'released and removed on shutdown');
  await api.kv.put('x/plain/.lock', 'not a lock');
  const conflict = await runCli(['lock', 'x/plain', 'true'], { addr });
  t.is(conflict.code, 1);
  t.regex(conflict.stderr, /Lock acquisition failed: Existing key does not match lock use/);
  const missing = await runCli(['lock', 'only-prefix'], { addr });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /Key prefix and child command must be specified/);
  t.regex((await runCli(['lock', '-n', '0', 'p', 'true'], { addr })).stderr, /Lock holder limit must be positive/);
});
