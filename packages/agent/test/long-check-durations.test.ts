/**
 * Check TTLs and intervals beyond what one Node timer can wait (2^31-1 ms, about 24.8 days) are
 * valid Go durations, so Consul takes them: a 30-day TTL must not expire at once and a 30-day
 * interval must not run the check in a loop.
 */
import { createServer } from 'node:net';
import test from 'ava';
import { call, fileScope, sleep, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));

test('a 720h TTL check stays passing after a pass, and a 720h-interval TCP check is not run in a loop', async (t) => {
  const agent = await startAgent(scope);
  let connections = 0;
  const target = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.teardown(() => target.close());
  const port = (target.address() as { port: number }).port;

  const reg = await call(agent, 'PUT', '/v1/agent/check/register', { Name: 'month-ttl', TTL: '720h' });
  t.is(reg.status, 200, reg.text);
  const tcp = await call(agent, 'PUT', '/v1/agent/check/register', { Name: 'month-tcp', TCP: `127.0.0.1:${port}`, Interval: '720h' });
  t.is(tcp.status, 200, tcp.text);
  t.is((await call(agent, 'PUT', '/v1/agent/check/pass/month-ttl?note=fine')).status, 200);

  await sleep(1500);
  const checks = (await call(agent, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string; Output: string; Interval: string }>>();
  t.is(checks['month-ttl']?.Status, 'passing', checks['month-ttl']?.Output);
  t.is(checks['month-ttl']?.Output, 'fine');
  t.is(checks['month-tcp']?.Interval, '720h0m0s');
  t.true(connections <= 1, `the TCP check ran ${connections} times in 1.5 s`);
  t.notRegex(agent.output(), /TimeoutOverflowWarning/);
});
