import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent, before any decoding. */
  body: Buffer;
}

/** A request through node:http, which (unlike fetch) neither adds Accept-Encoding nor decodes. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, method, path, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const GZIP = { 'Accept-Encoding': 'gzip' };
const big = 'x'.repeat(8192);

test.before(async () => {
  agent = await startAgent(scope);
  await raw('PUT', '/v1/kv/gz/big', {}, big);
  await raw('PUT', '/v1/kv/gz/small', {}, 's');
  await raw('PUT', '/v1/kv/gzr/a', {}, big);
  await raw('PUT', '/v1/kv/gzr/b', {}, big);
});

test('a KV read asking for gzip is compressed, says so and varies on Accept-Encoding (fast path and routed path)', async (t) => {
  for (const path of ['/v1/kv/gz/big', '/v1/kv/gz/big?recurse', '/v1/kv/gzr/?recurse']) {
    const plain = await raw('GET', path);
    const gz = await raw('GET', path, GZIP);
    t.is(gz.status, 200, path);
    t.is(gz.headers['content-encoding'], 'gzip', path);
    t.is(gz.headers.vary, 'Accept-Encoding', path);
    t.is(Number(gz.headers['content-length']), gz.body.length, path);
    t.true(gz.body.length < plain.body.length / 4, `${path}: ${gz.body.length} vs ${plain.body.length} bytes`);
    t.deepEqual(gunzipSync(gz.body), plain.body, path);
    t.is(gz.headers['x-consul-index'], plain.headers['x-consul-index'], path);
    t.is(gz.headers['content-type'], 'application/json', path);
  }
});

test('as in Consul (gziphandler MinSize 0), small bodies and error texts are gzip-encoded too (stored, not deflated); empty bodies are not', async (t) => {
  const small = await raw('GET', '/v1/kv/gz/small', GZIP);
  const smallPlain = await raw('GET', '/v1/kv/gz/small');
  t.is(small.headers['content-encoding'], 'gzip');
  t.is(JSON.parse(gunzipSync(small.body).toString())[0].Key, 'gz/small');
  // Below 1400 bytes the body travels in one stored block: gzip's 18 bytes of frame plus 5.
  t.is(small.body.length, smallPlain.body.length + 23);
  t.is(small.body[10], 1);
  const leader = await raw('GET', '/v1/status/leader', GZIP);
  t.is(leader.headers['content-encoding'], 'gzip');
  t.regex(gunzipSync(leader.body).toString(), /^"127\.0\.0\.1:\d+"$/);
  const bad = await raw('GET', '/v1/kv/gz/big?index=notanumber', GZIP);
  t.is(bad.status, 400);
  t.is(bad.headers['content-encoding'], 'gzip');
  t.is(gunzipSync(bad.body).toString(), 'Invalid index');
  const missing = await raw('GET', '/v1/kv/gz/none', GZIP);
  t.is(missing.status, 404);
  t.is(missing.headers['content-encoding'], undefined);
  t.is(missing.body.length, 0);
  t.is(missing.headers.vary, 'Accept-Encoding');
});

test('without Accept-Encoding, with gzip refused (q=0) or with only identity, the body is sent as is, still with Vary', async (t) => {
  const variants: Record<string, string>[] = [
    {},
    { 'Accept-Encoding': 'gzip;q=0' },
    { 'Accept-Encoding': 'identity' },
    { 'Accept-Encoding': 'br' },
    { 'Accept-Encoding': '*;q=0' },
  ];
  for (const headers of variants) {
    for (const path of ['/v1/kv/gz/big', '/v1/kv/gz/big?recurse']) {
      const r = await raw('GET', path, headers);
      const what = `${path} ${JSON.stringify(headers)}`;
      t.is(r.headers['content-encoding'], undefined, what);
      t.is(r.headers.vary, 'Accept-Encoding', what);
      t.is(JSON.parse(r.body.toString())[0].Value, Buffer.from(big).toString('base64'), what);
    }
  }
  const star = await raw('GET', '/v1/kv/gz/big', { 'Accept-Encoding': '*' });
  t.is(star.headers['content-encoding'], 'gzip');
  const listed = await raw('GET', '/v1/kv/gz/big', { 'Accept-Encoding': 'deflate, gzip;q=0.5, br' });
  t.is(listed.headers['content-encoding'], 'gzip');
});

test('a blocking query asking for gzip waits for the change and then answers compressed', async (t) => {
  const first = await raw('GET', '/v1/kv/gz/watched', {}, undefined);
  const index = Number(first.headers['x-consul-index']);
  const started = Date.now();
  const pending = raw('GET', `/v1/kv/gz/watched?index=${index}&wait=20s`, GZIP);
  await new Promise((r) => setTimeout(r, 300));
  await call(agent, 'PUT', '/v1/kv/gz/watched', 'changed');
  const woke = await pending;
  t.true(Date.now() - started < 15_000);
  t.is(woke.status, 200);
  t.is(woke.headers['content-encoding'], 'gzip');
  const entry = JSON.parse(gunzipSync(woke.body).toString())[0] as { Value: string; ModifyIndex: number };
  t.is(Buffer.from(entry.Value, 'base64').toString(), 'changed');
  t.true(Number(woke.headers['x-consul-index']) > index);
});

test('fetch, which asks for gzip, reads the same JSON transparently', async (t) => {
  const r = await call(agent, 'GET', '/v1/kv/gz/big');
  t.is(r.status, 200);
  t.is(Buffer.from(r.json<{ Value: string }[]>()[0]?.Value ?? '', 'base64').toString(), big);
});

test('the stored and deflated encodings round-trip at the size boundary and for empty and binary bodies', async (t) => {
  const { gzipEncode, storedGzip, DEFLATE_MIN_BYTES } = await import('../src/http/gzip-response.js');
  for (const n of [0, 1, DEFLATE_MIN_BYTES - 1, DEFLATE_MIN_BYTES, 70_000]) {
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = (i * 31 + 7) % 256;
    const encoded = gzipEncode(body);
    t.deepEqual(gunzipSync(encoded), body, `${n} bytes`);
    t.is(encoded[10] === 1, n < DEFLATE_MIN_BYTES, `${n} bytes stored only when small`);
  }
  t.deepEqual(gunzipSync(storedGzip(Buffer.from('ü€'))).toString(), 'ü€');
});

// serial: its writes would wake the blocking query on a missing key in the test above
test.serial('the KV fast path answers each new value after a write, plain and gzip, byte for byte as the routed path does', async (t) => {
  for (const value of ['first', 'second <&> value', 'third']) {
    t.is((await raw('PUT', '/v1/kv/gz/changing', {}, value)).status, 200);
    const fast = await raw('GET', '/v1/kv/gz/changing');
    const routed = await raw('GET', '/v1/kv/gz/changing?routed=1'); // a query string takes the general path
    t.is(fast.status, 200);
    t.deepEqual(fast.body, routed.body, value);
    t.is(fast.headers['x-consul-index'], routed.headers['x-consul-index']);
    const entry = JSON.parse(fast.body.toString())[0];
    t.is(Buffer.from(entry.Value, 'base64').toString(), value);
    t.is(fast.headers['x-consul-index'], String(entry.ModifyIndex));
    const gz = await raw('GET', '/v1/kv/gz/changing', GZIP);
    t.is(gz.headers['content-encoding'], 'gzip');
    t.deepEqual(gunzipSync(gz.body), fast.body);
  }
});
