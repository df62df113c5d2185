import { connect } from 'node:net';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
  const ok = async (method: string, path: string, body?: string | object) => {
    const r = await call(agent, method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  };
  await ok('PUT', '/v1/kv/seed/a', 'alpha');
  await ok('PUT', '/v1/kv/seed/b?flags=3', 'beta');
  await ok('PUT', '/v1/catalog/register', { Node: 'seed-node', Address: '10.7.0.1', Service: { Service: 'seed', Port: 1 } });
  await ok('PUT', '/v1/agent/service/register', { Name: 'local-seed', Check: { TTL: '10m', Status: 'passing' } });
  await ok('PUT', '/v1/session/create', { Name: 'seed-session' });
});

/** Everything a bad request must leave untouched, including the last log index. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of [
    '/v1/kv/?recurse',
    '/v1/catalog/nodes',
    '/v1/catalog/services',
    '/v1/catalog/service/seed',
    '/v1/agent/services',
    '/v1/agent/checks',
    '/v1/session/list',
    '/v1/operator/raft/configuration',
  ]) {
    const r = await call(agent, 'GET', path);
    if (r.status !== 200) throw new Error(`snapshot ${path}: ${r.status} ${r.text}`);
    out[path] = r.text;
  }
  return out;
}

interface Case {
  what: string;
  method: string;
  path: string;
  body?: string | Buffer;
  status: 400 | 413;
  /** Expected start of the plain-text reason. */
  reason?: RegExp;
}

const huge = (bytes: number) => Buffer.alloc(bytes, 0x20);
const hugeJson = (bytes: number) => Buffer.from(`{"Node":"n","Address":"a","Pad":"${'x'.repeat(bytes)}"}`);

const cases: Case[] = [
  // catalog register / deregister
  { what: 'a truncated catalog registration', method: 'PUT', path: '/v1/catalog/register', body: '{"Node": "x", ', status: 400, reason: /^Request decode failed/ },
  { what: 'a catalog registration that is a JSON array', method: 'PUT', path: '/v1/catalog/register', body: '[1,2]', status: 400 },
  { what: 'a catalog registration with a numeric Node', method: 'PUT', path: '/v1/catalog/register', body: '{"Node":123,"Address":"10.0.0.1"}', status: 400 },
  { what: 'a catalog registration with an unknown field', method: 'PUT', path: '/v1/catalog/register', body: '{"Node":"n1","Address":"10.0.0.1","Bogus":1}', status: 400 },
  {
    what: 'a catalog service with a string port',
    method: 'PUT',
    path: '/v1/catalog/register',
    body: '{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Port":"eighty"}}',
    status: 400,
  },
  {
    what: 'a catalog service with a port out of range',
    method: 'PUT',
    path: '/v1/catalog/register',
    body: '{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Port":70000}}',
    status: 400,
  },
  {
    what: 'a catalog service with tags that are not a list',
    method: 'PUT',
    path: '/v1/catalog/register',
    body: '{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Tags":"a,b"}}',
    status: 400,
  },
  { what: 'a catalog registration of several megabytes', method: 'PUT', path: '/v1/catalog/register', body: hugeJson(3 * 1024 * 1024), status: 413 },
  { what: 'a catalog registration that is not JSON at all', method: 'PUT', path: '/v1/catalog/register', body: 'Node=n1&Address=10.0.0.1', status: 400 },
  { what: 'a truncated catalog deregistration', method: 'PUT', path: '/v1/catalog/deregister', body: '{"Node":', status: 400 },
  { what: 'a catalog deregistration without a node', method: 'PUT', path: '/v1/catalog/deregister', body: '{"ServiceID":"seed"}', status: 400 },
  // agent service / check
  { what: 'a truncated agent service registration', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":', status: 400, reason: /^Request decode failed/ },
  { what: 'an agent service with a numeric name', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":5}', status: 400 },
  { what: 'an agent service with an unknown field', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":"bad1","Colour":"red"}', status: 400 },
  { what: 'an agent service with non-string meta', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":"bad2","Meta":{"k":1}}', status: 400 },
  {
    what: 'an agent service whose HTTP check has no interval',
    method: 'PUT',
    path: '/v1/agent/service/register',
    body: '{"Name":"bad3","Check":{"HTTP":"http://127.0.0.1:1/"}}',
    status: 400,
  },
  { what: 'an agent service whose check TTL is not a duration', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":"bad4","Check":{"TTL":"forever"}}', status: 400 },
  { what: 'an agent service with a check of no known type', method: 'PUT', path: '/v1/agent/service/register', body: '{"Name":"bad5","Check":{"Interval":"10s"}}', status: 400 },
  { what: 'an agent service registration of several megabytes', method: 'PUT', path: '/v1/agent/service/register', body: huge(3 * 1024 * 1024), status: 413 },
  { what: 'an agent check with an invalid status', method: 'PUT', path: '/v1/agent/check/register', body: '{"Name":"badcheck","TTL":"10s","Status":"meh"}', status: 400 },
  { what: 'a truncated TTL check update', method: 'PUT', path: '/v1/agent/check/update/service:local-seed', body: '{"Status":', status: 400 },
  // txn
  { what: 'a truncated txn', method: 'PUT', path: '/v1/txn', body: '[{"KV":{"Verb":"set"', status: 400, reason: /^Failed to parse body/ },
  { what: 'an empty txn body', method: 'PUT', path: '/v1/txn', body: '', status: 400 },
  { what: 'a txn that is an object instead of a list', method: 'PUT', path: '/v1/txn', body: '{"KV":{"Verb":"set","Key":"x"}}', status: 400 },
  { what: 'a txn with an unknown verb', method: 'PUT', path: '/v1/txn', body: '[{"KV":{"Verb":"explode","Key":"seed/a"}}]', status: 400 },
  { what: 'a txn with a value that is not base64', method: 'PUT', path: '/v1/txn', body: '[{"KV":{"Verb":"set","Key":"seed/a","Value":"!!not base64!!"}}]', status: 400 },
  { what: 'a txn with string flags', method: 'PUT', path: '/v1/txn', body: '[{"KV":{"Verb":"set","Key":"seed/a","Flags":"x"}}]', status: 400 },
  { what: 'a txn whose second op is malformed', method: 'PUT', path: '/v1/txn', body: '[{"KV":{"Verb":"set","Key":"seed/z","Value":"eA=="}},{"KV":"nope"}]', status: 400 },
  { what: 'a txn body over the request limit', method: 'PUT', path: '/v1/txn', body: huge(600_000), status: 413 },
  // session create
  { what: 'a truncated session create', method: 'PUT', path: '/v1/session/create', body: '{"Name":', status: 400, reason: /^Request decode failed/ },
  { what: 'a session create that is a list', method: 'PUT', path: '/v1/session/create', body: '[]', status: 400 },
  { what: 'a session create with a misspelt field', method: 'PUT', path: '/v1/session/create', body: '{"Behaviour":"delete"}', status: 400 },
  { what: 'a session create with a lock delay that is not a duration', method: 'PUT', path: '/v1/session/create', body: '{"LockDelay":"forever"}', status: 400 },
  { what: 'a session create with a lock delay over 60s', method: 'PUT', path: '/v1/session/create', body: '{"LockDelay":"61s"}', status: 400 },
  { what: 'a session create with node checks that are not a list', method: 'PUT', path: '/v1/session/create', body: '{"NodeChecks":"serfHealth"}', status: 400 },
  { what: 'a session create with a numeric TTL', method: 'PUT', path: '/v1/session/create', body: '{"TTL":10}', status: 400 },
  // KV paths and parameters
  { what: 'a KV read of an invalid UTF-8 key', method: 'GET', path: '/v1/kv/%FF', status: 400 },
  { what: 'a KV write of an invalid UTF-8 key', method: 'PUT', path: '/v1/kv/%FF', body: 'v', status: 400 },
  { what: 'a KV write of an invalid UTF-8 key under a prefix', method: 'PUT', path: '/v1/kv/seed/%C3%28', body: 'v', status: 400 },
  { what: 'a KV delete of an invalid UTF-8 key', method: 'DELETE', path: '/v1/kv/seed%FF?recurse', status: 400 },
  { what: 'a KV key with a broken percent escape', method: 'PUT', path: '/v1/kv/seed/%zz', body: 'v', status: 400 },
  { what: 'a KV write with non-numeric flags', method: 'PUT', path: '/v1/kv/seed/a?flags=abc', body: 'v', status: 400 },
  { what: 'a KV write with a non-numeric cas', method: 'PUT', path: '/v1/kv/seed/a?cas=abc', body: 'v', status: 400 },
  { what: 'a KV delete with a non-numeric cas', method: 'DELETE', path: '/v1/kv/seed/a?cas=abc', status: 400 },
  { what: 'a KV read with a non-numeric index', method: 'GET', path: '/v1/kv/seed/a?index=abc', status: 400, reason: /^Invalid index$/ },
  { what: 'a KV read with an invalid wait', method: 'GET', path: '/v1/kv/seed/a?index=1&wait=soon', status: 400, reason: /^Invalid wait time$/ },
  { what: 'a KV read with a negative wait', method: 'GET', path: '/v1/kv/seed/a?index=1&wait=-5s', status: 400 },
  { what: 'a KV read with a wait longer than a Go duration holds', method: 'GET', path: '/v1/kv/seed/a?index=1&wait=99999999h', status: 400, reason: /^Invalid wait time$/ },
  {
    what: 'a check TTL longer than a Go duration holds',
    method: 'PUT',
    path: '/v1/agent/check/register',
    body: '{"Name":"c","TTL":"99999999999h"}',
    status: 400,
    reason: /invalid duration/,
  },
  { what: 'a check TTL of more nanoseconds than an int64 holds', method: 'PUT', path: '/v1/agent/check/register', body: '{"Name":"c","TTL":1e30}', status: 400 },
  {
    what: 'a check interval longer than a Go duration holds',
    method: 'PUT',
    path: '/v1/agent/check/register',
    body: '{"Name":"c","TCP":"127.0.0.1:1","Interval":"99999999999h"}',
    status: 400,
    reason: /invalid duration/,
  },
  {
    what: 'a service check deregister-after longer than a Go duration holds',
    method: 'PUT',
    path: '/v1/agent/service/register',
    body: '{"Name":"s","Check":{"TTL":"10s","DeregisterCriticalServiceAfter":"99999999999h"}}',
    status: 400,
  },
  { what: 'a KV value one byte over the limit', method: 'PUT', path: '/v1/kv/seed/a', body: huge(524289), status: 413 },
  { what: 'a health read of an invalid UTF-8 service name', method: 'GET', path: '/v1/health/service/%FF', status: 400 },
  { what: 'a catalog read of an invalid UTF-8 node name', method: 'GET', path: '/v1/catalog/node/%FF', status: 400 },
];

for (const c of cases) {
  test(`${c.what} is refused with ${c.status} and a plain-text reason, and changes nothing`, async (t) => {
    const before = await snapshot();
    const r = await call(agent, c.method, c.path, c.body, { 'Content-Type': 'application/json' });
    t.is(r.status, c.status, r.text);
    t.regex(r.headers.get('content-type') ?? '', /^text\/plain/);
    t.true(r.text.trim().length > 0, 'a reason is given');
    t.false(r.text.trimStart().startsWith('{'), 'the reason is not JSON');
    if (c.reason) t.regex(r.text, c.reason);
    t.deepEqual(await snapshot(), before);
    const alive = await call(agent, 'GET', '/v1/status/leader');
    t.is(alive.status, 200);
  });
}

test('a chunked KV value without Content-Length is still cut off at 524288 bytes with a 413', async (t) => {
  const before = await snapshot();
  const chunk = new Uint8Array(64 * 1024).fill(0x62);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 600_000) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  let status: number | undefined;
  let text = '';
  try {
    const res = await fetch(`${agent.base}/v1/kv/seed/chunked`, {
      method: 'PUT',
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(10_000),
    } as RequestInit);
    status = res.status;
    text = await res.text();
  } catch (err) {
    // The agent may answer and close before the upload finishes; then the request fails client-side.
    t.log(`upload ended early: ${String(err)}`);
  }
  if (status !== undefined) {
    t.is(status, 413);
    t.regex(text, /too large/);
  }
  t.is((await call(agent, 'GET', '/v1/kv/seed/chunked')).status, 404);
  t.deepEqual(await snapshot(), before);
});

test.after('after all the bad input the agent still serves exactly the seed data', async (t) => {
  t.is((await call(agent, 'GET', '/v1/kv/seed/a?raw')).text, 'alpha');
  const kv = (await call(agent, 'GET', '/v1/kv/?recurse')).json<{ Key: string; Value: string; Flags: number }[]>();
  t.deepEqual(
    kv.map((e) => [e.Key, Buffer.from(e.Value, 'base64').toString(), e.Flags]),
    [
      ['seed/a', 'alpha', 0],
      ['seed/b', 'beta', 3],
    ],
  );
  const services = (await call(agent, 'GET', '/v1/agent/services')).json<Record<string, unknown>>();
  t.deepEqual(Object.keys(services), ['local-seed']);
  const sessions = (await call(agent, 'GET', '/v1/session/list')).json<{ Name: string }[]>();
  t.deepEqual(
    sessions.map((s) => s.Name),
    ['seed-session'],
  );
});

/** Sends raw bytes to the agent's HTTP port and collects the whole answer. */
function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(out) : reject(err)));
    socket.on('close', () => resolve(out));
    socket.setTimeout(10_000, () => reject(new Error('no answer within 10 s')));
  });
}

test('requests the HTTP parser refuses get a status and a plain-text reason, and the agent keeps serving', async (t) => {
  const cases: [string, Buffer, number, RegExp][] = [
    ['an unknown method', Buffer.from('BREW /v1/kv/seed/a HTTP/1.1\r\nHost: x\r\n\r\n'), 405, /^method BREW not allowed$/],
    ['a broken chunk', Buffer.from('PUT /v1/kv/seed/z HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 400, /^Bad request: .+/],
    ['a negative Content-Length', Buffer.from('PUT /v1/kv/seed/z HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'), 400, /^Bad request: .+/],
    ['a raw 0xFF byte in the path', Buffer.concat([Buffer.from('GET /v1/kv/a'), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]), 400, /^Bad request: .+/],
    ['a 20 kB query string', Buffer.from(`GET /v1/kv/seed/a?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, /^Request header fields too large$/],
  ];
  const before = await snapshot();
  for (const [what, bytes, status, reason] of cases) {
    // The agent stops reading an oversized request, so its answer may race the reset that
    // closing a socket with unread bytes sends: ask again (a few times) if nothing arrived.
    let answer = '';
    for (let i = 0; i < 5 && answer === ''; i++) answer = await rawExchange(agent.port, bytes);
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    t.regex(head, new RegExp(`^HTTP/1\\.1 ${status} `), `${what}: ${head}`);
    t.regex(head, /\r\nContent-Type: text\/plain/i, what);
    t.regex(body.trim(), reason, what);
  }
  t.deepEqual(await snapshot(), before);
  t.is((await call(agent, 'GET', '/v1/status/leader')).status, 200);
});

test('a filter regex that backtracks exponentially in JavaScript is matched in linear time (RE2, as Go does) and the agent keeps serving', async (t) => {
  // Its own agent: the other tests here check that nothing changes on theirs.
  const agent = await startAgent(t);
  const name = `${'a'.repeat(48)}b`;
  const reg = await call(agent, 'PUT', '/v1/agent/service/register', { ID: 'redos', Name: name, Port: 1 });
  t.is(reg.status, 200, reg.text);
  const filter = encodeURIComponent('Service matches "^(a+)+$"');
  const [hit, leader] = await Promise.all([
    fetch(`${agent.base}/v1/agent/services?filter=${filter}`, { signal: AbortSignal.timeout(15_000) }),
    fetch(`${agent.base}/v1/status/leader`, { signal: AbortSignal.timeout(15_000) }),
  ]);
  t.is(hit.status, 200);
  t.deepEqual(await hit.json(), {}, 'the name ends in b, so nothing matches');
  t.is(leader.status, 200);
  const found = await call(agent, 'GET', `/v1/agent/services?filter=${encodeURIComponent('Service matches "^a+b$"')}`);
  t.deepEqual(Object.keys(found.json<Record<string, unknown>>()), ['redos']);
  const perl = await call(agent, 'GET', `/v1/agent/services?filter=${encodeURIComponent('Service matches "(?=a)"')}`);
  t.is(perl.status, 400, 'lookahead is not RE2 syntax');
  t.regex(perl.text, /invalid regular expression/);
});
