import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConsulApi } from '@concord/api';
import { BIN, ROOT, eventually, runCli, startAgent, stopChild } from '@concord/testkit';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('without a handler, watch prints the first result as Consul JSON and exits', async (t) => {
  const agent = await startAgent(t);
  const api = new ConsulApi({ address: agent.httpAddr });
  await api.kv.put('w/a', 'one', { flags: 7 });
  const key = await runCli(['watch', '-type', 'key', '-key', 'w/a'], { addr: agent.httpAddr });
  t.is(key.code, 0, key.stderr);
  const pair = JSON.parse(key.stdout) as { Key: string; Value: string; Flags: number };
  t.is(pair.Key, 'w/a');
  t.is(Buffer.from(pair.Value, 'base64').toString(), 'one');
  t.is(pair.Flags, 7);
  t.regex(key.stdout, /^\{\n {4}"/, 'indented with four spaces, as consul watch prints');
  await api.agent.serviceRegister({ ID: 'w1', Name: 'wsvc', Port: 1, Tags: ['x'] });
  const svc = await runCli(['watch', '-type', 'service', '-service', 'wsvc', '-tag', 'x'], { addr: agent.httpAddr });
  t.is(svc.code, 0, svc.stderr);
  t.is((JSON.parse(svc.stdout) as Array<{ Service: { ID: string } }>)[0]?.Service.ID, 'w1');
  const services = await runCli(['watch', '-type', 'services'], { addr: agent.httpAddr });
  t.deepEqual((JSON.parse(services.stdout) as Record<string, string[]>).wsvc, ['x']);
});

test("watch rejects bad parameters with Consul's messages", async (t) => {
  const cases: Array<[string[], string]> = [
    [['-type', 'key'], 'Must specify a single key to watch'],
    [['-type', 'nope'], 'Unsupported watch type: nope'],
    [[], 'Watch type must be specified'],
    [['-type', 'services', '-key', 'x'], 'Invalid parameters: [key]'],
    [['-type', 'checks', '-service', 's', '-state', 'passing'], 'Cannot specify service and state'],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['watch', ...args], { addr: '127.0.0.1:9' });
    t.is(r.code, 1, args.join(' '));
    t.is(r.stderr.trim(), message);
  }
});

test('with a handler, watch runs it with the JSON on stdin on every change', async (t) => {
  const agent = await startAgent(t);
  const api = new ConsulApi({ address: agent.httpAddr });
  const dir = tempDir(t);
  const out = join(dir, 'calls');
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: agent.httpAddr };
  const child = spawn(process.execPath, [BIN, 'watch', '-type', 'keyprefix', '-prefix', 'cfg/', `cat >> ${out}; echo " idx=$CONSUL_INDEX" >> ${out}`], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  t.teardown(() => stopChild(child, 'SIGKILL').then(() => undefined));
  await api.kv.put('cfg/a', '1');
  await eventually(async () => existsSync(out) && readFileSync(out, 'utf8').includes('"cfg/a"'), 60_000, 'first call');
  await api.kv.put('cfg/b', '2');
  // Each call appends the JSON, then " idx=<CONSUL_INDEX>" once the handler has read it all.
  const calls = (): string[] => readFileSync(out, 'utf8').split('\n');
  await eventually(async () => calls().at(-2)?.startsWith(' idx=') && calls().at(-3)?.includes('"cfg/b"'), 60_000, 'second call finished');
  const indexes = calls()
    .filter((l) => l.startsWith(' idx='))
    .map((l) => Number(l.slice(5)));
  t.true(indexes.length >= 2);
  t.true(indexes.every((i) => i > 0));
  t.true((indexes.at(-1) as number) > (indexes.at(-2) as number), 'the index grows with each change');
  t.is(await stopChild(child, 'SIGTERM'), 0);
});

test('the agent runs its watches config with script and http handlers', async (t) => {
  const dir = tempDir(t);
  const scriptOut = join(dir, 'script-out');
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.headers['x-consul-index'] ? 'indexed' : 'no-index'} ${req.headers['x-test'] ?? ''} ${body}`);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const config = join(dir, 'watches.json');
  writeFileSync(
    config,
    JSON.stringify({
      watches: [
        { type: 'key', key: 'watched/key', handler_type: 'script', args: ['/bin/sh', '-c', `cat > ${scriptOut}`] },
        {
          type: 'service',
          service: 'hooked',
          handler_type: 'http',
          http_handler_config: { path: `http://127.0.0.1:${port}/hook`, method: 'PUT', header: { 'x-test': ['yes'] }, timeout: '5s' },
        },
      ],
    }),
  );
  const agent = await startAgent(t, { extraArgs: ['-config-file', config] });
  const api = new ConsulApi({ address: agent.httpAddr });
  await api.kv.put('watched/key', 'hello');
  await eventually(async () => existsSync(scriptOut) && readFileSync(scriptOut, 'utf8').includes('"watched/key"'), 60_000, 'script handler');
  await api.agent.serviceRegister({ ID: 'h1', Name: 'hooked', Port: 5 });
  await eventually(async () => bodies.some((b) => b.includes('"h1"')), 60_000, 'http handler');
  t.regex(bodies.find((b) => b.includes('"h1"')) as string, /^PUT indexed yes \[/);
});

test('a bad watches entry stops the agent from starting with a clear message', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'bad.json');
  writeFileSync(config, JSON.stringify({ watches: [{ type: 'key' }] }));
  const r = await runCli(['agent', '-dev', '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-config-file', config], { timeoutMs: 60_000 });
  t.not(r.code, 0);
  t.regex(r.stdout + r.stderr, /Failed to parse watch \(#1\): Must specify a single key to watch/);
});
