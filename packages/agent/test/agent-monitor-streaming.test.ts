import { connect } from 'node:net';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope, { extraArgs: ['-log-level', 'info'] });
});

/** Reads a streaming monitor response until `done(text)` holds, then disconnects. */
async function monitorUntil(query: string, done: (text: string) => boolean, poke: () => Promise<unknown>): Promise<{ status: number; type: string; text: string }> {
  const ac = new AbortController();
  const res = await fetch(`${agent.base}/v1/agent/monitor${query}`, { signal: ac.signal });
  let text = '';
  if (res.status !== 200 || !res.body) return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  const reader = res.body.getReader();
  const deadline = Date.now() + 30_000;
  const poker = setInterval(() => void poke().catch(() => undefined), 200);
  try {
    while (!done(text) && Date.now() < deadline) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += Buffer.from(value).toString('utf8');
    }
  } finally {
    clearInterval(poker);
    ac.abort();
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

test.serial("?loglevel=debug streams debug lines the agent (at info) does not print, in hclog's text format", async (t) => {
  const r = await monitorUntil(
    '?loglevel=debug',
    (x) => x.includes('url=/v1/kv/monitor-probe'),
    () => call(agent, 'GET', '/v1/kv/monitor-probe'),
  );
  t.is(r.status, 200);
  t.regex(r.type, /^text\/plain/);
  t.regex(r.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[DEBUG\] agent\.http: Request finished: method=GET url=\/v1\/kv\/monitor-probe from=127\.0\.0\.1:\d+ latency=\d+µs$/m);
  t.false(/Request finished/.test(agent.output()), "the agent's own output stays at info");
});

test.serial('?logjson streams JSON lines; ?loglevel=warn holds back info and debug lines', async (t) => {
  const r = await monitorUntil(
    '?loglevel=trace&logjson',
    (x) => x.includes('monitor-json'),
    () => call(agent, 'GET', '/v1/kv/monitor-json'),
  );
  const lines = r.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
  const mine = lines.find((l) => l.url === '/v1/kv/monitor-json');
  t.like(mine, { level: 20, msg: 'agent.http: Request finished' });

  // At warn, a burst of requests shows nothing; a reload (logged at info) neither.
  const ac = new AbortController();
  const res = await fetch(`${agent.base}/v1/agent/monitor?loglevel=WARN`, { signal: ac.signal });
  t.is(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const got: string[] = [];
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      got.push(Buffer.from(value as Uint8Array).toString('utf8'));
    }
  })();
  for (let i = 0; i < 20; i++) await call(agent, 'GET', '/v1/kv/monitor-quiet');
  await call(agent, 'PUT', '/v1/agent/reload');
  await new Promise((r) => setTimeout(r, 500));
  ac.abort();
  await reading;
  t.is(got.join(''), '');
});

test.serial("an unknown ?loglevel is a 400 with Consul's message", async (t) => {
  const r = await call(agent, 'GET', '/v1/agent/monitor?loglevel=loud');
  t.is(r.status, 400);
  t.is(r.text, 'Unknown log level: loud');
});

test.serial("a reader that does not read loses lines (and is told how many) instead of growing the agent's memory", async (t) => {
  const sock = connect(agent.port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.pause();
  sock.write(`GET /v1/agent/monitor?loglevel=debug HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 300));
  // Each request logs its 8 KB URL: 1500 of them are ~12 MB, far beyond socket buffers and the 512-line queue.
  const pad = 'x'.repeat(8000);
  for (let i = 0; i < 1500; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => call(agent, 'GET', `/v1/agent/self?pad=${i + j}-${pad}`)));
  }
  let text = '';
  sock.on('data', (c: Buffer) => {
    text += c.toString('latin1');
  });
  sock.resume();
  const deadline = Date.now() + 30_000;
  while (!/Monitor dropped \d+ logs during monitor request/.test(text) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.destroy();
  const dropped = Number(/Monitor dropped (\d+) logs during monitor request/.exec(text)?.[1] ?? 0);
  const delivered = (text.match(/Request finished/g) ?? []).length;
  t.true(dropped > 0, 'some lines were dropped');
  t.true(delivered + dropped >= 1500, `${delivered} delivered + ${dropped} dropped`);
  t.true(delivered < 1500, `${delivered} delivered`);
  // The agent still answers, and new monitors work.
  t.is((await call(agent, 'GET', '/v1/agent/self')).status, 200);
});
