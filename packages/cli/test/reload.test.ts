import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

interface AgentCheck {
  Status: string;
  Output: string;
}

function configDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startWith(t: ExecutionContext, dir: string): Promise<RunningAgent> {
  const agent = await startAgent(['-config-dir', dir]);
  t.teardown(() => agent.stop());
  return agent;
}

async function get<T>(agent: RunningAgent, path: string): Promise<T> {
  return (await (await fetch(`http://${agent.httpAddr}${path}`)).json()) as T;
}

async function put(agent: RunningAgent, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`http://${agent.httpAddr}${path}`, { method: 'PUT', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  await res.text();
  return res.status;
}

const serviceIds = async (agent: RunningAgent) => Object.keys(await get<Record<string, unknown>>(agent, '/v1/agent/services')).sort();
const checks = (agent: RunningAgent) => get<Record<string, AgentCheck>>(agent, '/v1/agent/checks');

/** Polls until `probe` holds or `ms` pass; a failed request counts as not yet. */
async function until(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return true;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
let lastError: unknown;

test('reload adds and removes config services and checks, keeps the status of unchanged ones and leaves API registrations alone', async (t) => {
  const dir = configDir(t);
  const alpha = { id: 'alpha', name: 'alpha', port: 1, check: { id: 'alpha-ttl', ttl: '300s' } };
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ services: [alpha], checks: [{ id: 'disk', name: 'disk', ttl: '300s' }] }));
  const agent = await startWith(t, dir);
  t.deepEqual(await serviceIds(agent), ['alpha']);
  t.is(await put(agent, '/v1/agent/check/pass/alpha-ttl?note=fine'), 200);
  t.is(await put(agent, '/v1/agent/check/warn/disk?note=80%25'), 200);
  t.is(await put(agent, '/v1/agent/service/register', { ID: 'api1', Name: 'api' }), 200);

  // Same alpha and disk, a new service in a new HCL file.
  writeFileSync(join(dir, 'b.hcl'), 'service {\n  id = "beta"\n  name = "beta"\n  port = 2\n}\n');
  const first = await runCli(['reload'], { addr: agent.httpAddr });
  t.like(first, { code: 0, stdout: 'Configuration reload triggered\n', stderr: '' });
  t.deepEqual(await serviceIds(agent), ['alpha', 'api1', 'beta']);
  const kept = await checks(agent);
  t.like(kept['alpha-ttl'], { Status: 'passing', Output: 'fine' });
  t.like(kept.disk, { Status: 'warning', Output: '80%' });

  // alpha changes (its check stays passing), beta and disk go away.
  rmSync(join(dir, 'b.hcl'));
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ services: [{ ...alpha, tags: ['v2'] }] }));
  t.is((await runCli(['reload'], { addr: agent.httpAddr })).code, 0);
  t.deepEqual(await serviceIds(agent), ['alpha', 'api1']);
  const after = await checks(agent);
  t.false('disk' in after);
  t.like(after['alpha-ttl'], { Status: 'passing' });
  const services = await get<Record<string, { Tags: string[] }>>(agent, '/v1/agent/services');
  t.deepEqual(services.alpha?.Tags, ['v2']);
  const catalog = await get<{ ServiceID: string }[]>(agent, '/v1/catalog/service/beta');
  t.true(await until(async () => (await get<unknown[]>(agent, '/v1/catalog/service/beta')).length === 0, 3000), JSON.stringify(catalog));
});

test('a config that does not load fails the reload with the reason and changes nothing', async (t) => {
  const dir = configDir(t);
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ services: [{ name: 'alpha', port: 1 }] }));
  const agent = await startWith(t, dir);
  writeFileSync(join(dir, 'a.json'), '{"services": [');
  const broken = await runCli(['reload'], { addr: agent.httpAddr });
  t.is(broken.code, 1);
  t.regex(broken.stderr, /^Error reloading: Unexpected response code: 500 \(Error parsing .*a\.json: .+\)\n$/);
  writeFileSync(
    join(dir, 'a.json'),
    JSON.stringify({
      services: [
        { name: 'alpha', port: 1 },
        { name: 'beta', port: 'x' },
      ],
    }),
  );
  const invalid = await runCli(['reload'], { addr: agent.httpAddr });
  t.is(invalid.code, 1);
  t.regex(invalid.stderr, /^Error reloading: Unexpected response code: 500 \(.+\)\n$/);
  t.deepEqual(await serviceIds(agent), ['alpha']);
});

test('SIGHUP reloads like the command does', async (t) => {
  const dir = configDir(t);
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ services: [{ name: 'alpha', port: 1 }] }));
  const agent = await startWith(t, dir);
  // An answered request means the agent got past start-up, where it installs its signal handlers.
  t.deepEqual(await serviceIds(agent), ['alpha']);
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ services: [{ name: 'gamma', port: 3 }] }));
  process.kill(agent.pid, 'SIGHUP');
  t.true(await until(async () => (await serviceIds(agent)).join() === 'gamma', 5000), `${String((lastError as Error)?.cause ?? lastError)}\n${agent.output().slice(-3000)}`);
});

test('reload takes no arguments', async (t) => {
  const r = await runCli(['reload', 'extra'], { addr: '127.0.0.1:1' });
  t.is(r.code, 1);
  t.is(r.stderr.split('\n').length, 2, r.stderr);
});
