import { createSocket } from 'node:dgram';
import { type AddressInfo, createServer } from 'node:net';
import test from 'ava';
import { putOk, startTestAgent, waitForStatus } from './_local-helpers.js';

test('a TCP check is passing while the listener is open and critical once it closes', async (t) => {
  const { base } = await startTestAgent(t);
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => void server.close());
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  await putOk(t, base, '/v1/agent/service/register', { Name: 'db', Port: 5432, Check: { TCP: addr, Interval: '200ms' } });
  let c = await waitForStatus(base, 'db', 'service:db', 'passing', 1200);
  t.is(c?.Output, `TCP connect ${addr}: Success`);
  await new Promise<void>((r) => server.close(() => r()));
  c = await waitForStatus(base, 'db', 'service:db', 'critical', 1200);
  t.is(c?.Status, 'critical');
  t.is(c?.Output, `dial tcp ${addr}: connect: connection refused`);
});

test('a UDP check is passing while the socket is silent and critical once the port is unreachable', async (t) => {
  const { base } = await startTestAgent(t);
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${socket.address().port}`;
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'dns',
    Check: { UDP: addr, Interval: '200ms', Timeout: '150ms' },
  });
  let c = await waitForStatus(base, 'dns', 'service:dns', 'passing', 1200);
  t.is(c?.Output, `UDP connect ${addr}: Success`);
  t.true(received > 0, 'the check sent a datagram');
  await new Promise<void>((r) => socket.close(() => r()));
  c = await waitForStatus(base, 'dns', 'service:dns', 'critical', 1200);
  t.is(c?.Status, 'critical');
  t.regex(c?.Output ?? '', /^UDP connect 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
});
