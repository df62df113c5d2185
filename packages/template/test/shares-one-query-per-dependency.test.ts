import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { ConsulApi } from '@concord/api';
import { eventually, sleep } from '@concord/testkit';
import { buildConfig, createLog, Runner } from '../src/index.js';
import { sharedAgent, tempDirFor } from './_cli.js';

const shared = sharedAgent(test, async (api) => {
  await api.agent.serviceRegister({ ID: 'shared1', Name: 'shared', Port: 1 });
  await api.kv.put('shared/key', 'v1');
});

const quiet = createLog('err', () => undefined);
const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

test('templates that use the same data share one blocking query per dependency, and nothing polls at rest', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const contents = '{{range service "shared"}}{{.Port}}{{end}} {{key "shared/key"}}';
  const config = buildConfig([
    {
      consul: { address: shared.agent().httpAddr },
      template: [1, 2, 3].map((i) => ({ contents: `${i}:${contents}`, destination: join(dir, `out${i}`) })),
    },
  ]);
  const runner = new Runner(config, { api: shared.api(), log: quiet });
  const done = runner.run();
  t.teardown(() => runner.stop());
  await eventually(async () => read(join(dir, 'out3')) === '3:1 v1', 60_000, 'rendered');
  t.deepEqual([...runner.queryCounts().keys()].sort(), ['health.service(shared|passing)', 'kv.get(shared/key)']);
  const settled = runner.queryCounts();
  await sleep(1500);
  t.deepEqual(runner.queryCounts(), settled, 'no queries while nothing changes');
  await shared.api().kv.put('shared/key', 'v2');
  await eventually(async () => [1, 2, 3].every((i) => read(join(dir, `out${i}`)) === `${i}:1 v2`), 60_000, 'change rendered');
  const after = runner.queryCounts();
  t.is(after.get('kv.get(shared/key)'), (settled.get('kv.get(shared/key)') as number) + 1, 'one answered query for the change');
  t.is(after.get('health.service(shared|passing)'), settled.get('health.service(shared|passing)'));
  await runner.stop();
  t.is(await done, 0);
});

/** A TCP proxy to the agent that the test can cut and restore. */
interface Proxy {
  port(): number;
  /** Listens (again, on the same port). */
  open(): Promise<void>;
  /** Closes the listener and every connection. */
  cut(): Promise<void>;
}

function proxyTo(port: number): Proxy {
  let server: Server | undefined;
  let listenPort = 0;
  const sockets = new Set<Socket>();
  const open = (): Promise<void> =>
    new Promise((resolve) => {
      server = createServer((client) => {
        const upstream = connect(port, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  return { port: () => listenPort, open, cut };
}

test('while the agent is unreachable the last good output stays; rendering resumes when it is back', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const proxy = proxyTo(shared.agent().port);
  await proxy.open();
  t.teardown(() => proxy.cut());
  const dest = join(dir, 'out');
  const errors: string[] = [];
  const config = buildConfig([
    {
      consul: { address: `127.0.0.1:${proxy.port()}`, retry: { attempts: 0, backoff: '100ms', max_backoff: '400ms' } },
      template: [{ contents: '{{key "shared/down"}}', destination: dest }],
    },
  ]);
  await shared.api().kv.put('shared/down', 'before');
  const runner = new Runner(config, { api: new ConsulApi({ address: `127.0.0.1:${proxy.port()}` }), log: createLog('warn', (l) => errors.push(l)) });
  const done = runner.run();
  t.teardown(() => runner.stop());
  await eventually(async () => read(dest) === 'before', 60_000, 'first render');
  await proxy.cut();
  await shared.api().kv.put('shared/down', 'during');
  await eventually(async () => errors.some((e) => /retry attempt 2/.test(e)), 60_000, 'retries logged');
  t.is(read(dest), 'before', 'the last good output is kept');
  await proxy.open();
  await eventually(async () => read(dest) === 'during', 60_000, 'rendered after the agent came back');
  await runner.stop();
  t.is(await done, 0);
});
