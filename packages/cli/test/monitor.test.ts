import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import test from 'ava';
import { BIN, ROOT, type RunningAgent, runCli, startAgent } from './_agent.js';

/** `concord monitor ...` as a child process, with its output so far and its exit. */
function startMonitor(args: readonly string[], addr: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: addr };
  delete env.CONCORD_HTTP_ADDR;
  const child = spawn(process.execPath, [BIN, 'monitor', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return { child, output: () => out, exited };
}

async function until(cond: () => boolean, ms: number, poke: () => Promise<unknown> = async () => undefined): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) {
    await poke().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

test("monitor -log-level=debug streams the agent's debug lines until interrupted, then exits 0", async (t) => {
  const agent = await startAgent(['-log-level', 'info']);
  t.teardown(() => agent.stop().then(() => undefined));
  const m = startMonitor(['-log-level=debug'], agent.httpAddr);
  t.true(
    await until(
      () => m.output().includes('url=/v1/kv/cli-monitor'),
      30_000,
      () => fetch(`${agent.base}/v1/kv/cli-monitor`),
    ),
    m.output(),
  );
  t.regex(m.output(), /\[DEBUG\] agent\.http: Request finished: method=GET url=\/v1\/kv\/cli-monitor/);
  m.child.kill('SIGINT');
  t.is(await m.exited, 0);
});

test('monitor -log-json prints JSON lines; when the agent goes away it says so and exits 1', async (t) => {
  const agent: RunningAgent = await startAgent(['-log-level', 'info']);
  t.teardown(() => agent.stop().then(() => undefined));
  const m = startMonitor(['-log-level=debug', '-log-json'], agent.httpAddr);
  t.true(
    await until(
      () => m.output().includes('cli-monitor-json'),
      30_000,
      () => fetch(`${agent.base}/v1/kv/cli-monitor-json`),
    ),
    m.output(),
  );
  const line = m
    .output()
    .split('\n')
    .find((l) => l.includes('cli-monitor-json')) as string;
  t.like(JSON.parse(line), { level: 20, msg: 'agent.http: Request finished', url: '/v1/kv/cli-monitor-json' });
  await agent.stop();
  t.is(await m.exited, 1);
  t.true(m.output().endsWith('Remote side ended the monitor! This usually means that the\nremote side has exited or crashed.\n'), m.output().slice(-300));
});

test('monitor with an unknown level or without an agent prints one error line and exits 1', async (t) => {
  const agent = await startAgent();
  t.teardown(() => agent.stop().then(() => undefined));
  const bad = await runCli(['monitor', '-log-level=loud'], { addr: agent.httpAddr });
  t.is(bad.code, 1);
  t.is(bad.stderr, 'Error starting monitor: Unexpected response code: 400 (Unknown log level: loud)\n');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  const down = await runCli(['monitor'], { addr: `127.0.0.1:${port}` });
  t.is(down.code, 1);
  t.regex(down.stderr, /^Error starting monitor: .*ECONNREFUSED.*\n$/);
});
