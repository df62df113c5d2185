import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { StatusGate } from '../src/checks/thresholds.js';
import { putOk, startTestAgent, waitForStatus } from './_local-helpers.js';

interface Target {
  url: string;
  setCode(code: number): void;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
}

async function target(t: ExecutionContext, handle?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<Target> {
  let code = 200;
  const requests: Target['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handle?.(req, res)) return;
      res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end(`status ${code}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setCode: (c) => (code = c),
    requests,
  };
}

test('an HTTP check follows its target through passing, critical and warning', async (t) => {
  const { base } = await startTestAgent(t);
  const web = await target(t);
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'web',
    ID: 'web1',
    Port: 80,
    Check: { HTTP: `${web.url}/health`, Interval: '200ms', Timeout: '1s' },
  });
  let c = await waitForStatus(base, 'web', 'service:web1', 'passing', 1200);
  t.is(c?.Status, 'passing');
  t.is(c?.Output, `HTTP GET ${web.url}/health: 200 OK Output: status 200`);

  web.setCode(500);
  c = await waitForStatus(base, 'web', 'service:web1', 'critical', 1200);
  t.is(c?.Status, 'critical');
  t.is(c?.Output, `HTTP GET ${web.url}/health: 500 Internal Server Error Output: status 500`);

  web.setCode(429);
  c = await waitForStatus(base, 'web', 'service:web1', 'warning', 1200);
  t.is(c?.Status, 'warning');
  t.regex(c?.Output ?? '', /: 429 Too Many Requests Output: status 429$/);
});

test('an HTTP check sends its method, headers and body and caps the output', async (t) => {
  const { base } = await startTestAgent(t);
  const web = await target(t, (_req, res) => {
    res.writeHead(200);
    res.end('x'.repeat(5000));
    return true;
  });
  await putOk(t, base, '/v1/agent/check/register', {
    Name: 'post',
    HTTP: `${web.url}/p`,
    Method: 'POST',
    Header: { 'X-Token': ['abc'], 'X-Multi': ['a', 'b'] },
    Body: '{"ping":1}',
    Interval: '200ms',
    OutputMaxSize: 100,
  });
  const agentCheck = async () => ((await (await fetch(`${base}/v1/agent/checks`)).json()) as Record<string, { Status: string; Output: string }>).post;
  const deadline = Date.now() + 1200;
  let c = await agentCheck();
  while (c?.Status !== 'passing' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    c = await agentCheck();
  }
  t.is(c?.Status, 'passing');
  const req = web.requests[0];
  t.is(req?.method, 'POST');
  t.is(req?.headers['x-token'], 'abc');
  t.is(req?.headers['x-multi'], 'a, b');
  t.is(req?.headers['user-agent'], 'Consul Health Check');
  t.is(req?.body, '{"ping":1}');
  t.true(Buffer.byteLength(c?.Output ?? '') < 300, 'output capped near OutputMaxSize');
});

test('an HTTP check follows redirects unless DisableRedirects is set', async (t) => {
  const { base } = await startTestAgent(t);
  const web = await target(t, (req, res) => {
    if (req.url === '/old') {
      res.writeHead(302, { Location: '/new' });
      res.end();
      return true;
    }
    return false;
  });
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'redir',
    Checks: [
      { CheckID: 'follow', HTTP: `${web.url}/old`, Interval: '200ms' },
      { CheckID: 'stay', HTTP: `${web.url}/old`, Interval: '200ms', DisableRedirects: true },
    ],
  });
  const follow = await waitForStatus(base, 'redir', 'follow', 'passing', 1200);
  t.is(follow?.Status, 'passing');
  t.is(follow?.Output, `HTTP GET ${web.url}/old: 200 OK Output: status 200`);
  // A new check starts critical with no output; wait for the first run's result.
  const stay = await waitForStatus(base, 'redir', 'stay', 'critical', 2000, /302/);
  t.regex(stay?.Output ?? '', /: 302 Found Output: $/);
});

test('an HTTP check against a closed port is critical with the connection error', async (t) => {
  const { base } = await startTestAgent(t);
  const server = createServer((_req, res) => res.end('up'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await putOk(t, base, '/v1/agent/service/register', { Name: 'gone', Check: { HTTP: url, Interval: '200ms' } });
  t.is((await waitForStatus(base, 'gone', 'service:gone', 'passing', 1200))?.Status, 'passing');
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  const c = await waitForStatus(base, 'gone', 'service:gone', 'critical', 1200);
  t.is(c?.Status, 'critical');
  t.regex(c?.Output ?? '', /^Get ".*": .*ECONNREFUSED/);
});

test('thresholds hold back status changes until enough results in a row', (t) => {
  const gate = new StatusGate({ successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 3 });
  const ok = { status: 'passing' as const, output: 'ok' };
  const bad = { status: 'critical' as const, output: 'bad' };
  t.is(gate.next(ok), undefined);
  t.deepEqual(gate.next(ok), ok);
  t.deepEqual(gate.next(bad), { status: 'warning', output: 'bad' });
  t.deepEqual(gate.next(bad), { status: 'warning', output: 'bad' });
  t.deepEqual(gate.next(bad), bad);
  t.is(gate.next(ok), undefined, 'a success resets the failure count');
  t.deepEqual(gate.next(ok), ok);
  const plain = new StatusGate({ successBeforePassing: 0, failuresBeforeWarning: 0, failuresBeforeCritical: 2 });
  t.is(plain.next(bad), undefined, 'warning threshold defaults to the critical one');
  t.deepEqual(plain.next(bad), bad);
});

test('an HTTP check with FailuresBeforeCritical stays passing through a short outage', async (t) => {
  const { base } = await startTestAgent(t);
  const web = await target(t);
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'flaky',
    Check: { HTTP: `${web.url}/`, Interval: '100ms', FailuresBeforeCritical: 4, SuccessBeforePassing: 2 },
  });
  t.is((await waitForStatus(base, 'flaky', 'service:flaky', 'passing', 1200))?.Status, 'passing');
  const before = web.requests.length;
  web.setCode(500);
  // wait for two failing runs: still passing
  const end = Date.now() + 1500;
  while (web.requests.length < before + 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  web.setCode(200);
  const c = await waitForStatus(base, 'flaky', 'service:flaky', 'passing', 200);
  t.is(c?.Status, 'passing');
  web.setCode(500);
  t.is((await waitForStatus(base, 'flaky', 'service:flaky', 'critical', 1600))?.Status, 'critical');
});
