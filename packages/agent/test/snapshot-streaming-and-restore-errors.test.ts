/**
 * `GET /v1/snapshot` streams the snapshot of one index (serving other requests while the client
 * reads it), and `PUT /v1/snapshot` refuses a broken upload (cut short, truncated, garbage inside
 * valid gzip) with a clear error and the state untouched.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import test from 'ava';
import { type AgentProcess, startAgent } from './_agent.js';

const KEYS = 40_000;
const key = (i: number) => `big/${String(i).padStart(6, '0')}`;

/** Writes KEYS keys of 256 random bytes (random, so the gzip stream stays large), 64 per transaction. */
async function fill(a: AgentProcess): Promise<void> {
  for (let b = 0; b < KEYS; b += 64) {
    const ops = [];
    for (let i = b; i < Math.min(KEYS, b + 64); i++) ops.push({ KV: { Verb: 'set', Key: key(i), Value: randomBytes(256).toString('base64') } });
    const res = await fetch(`${a.base}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) });
    if (res.status !== 200) throw new Error(`txn: ${res.status} ${await res.text()}`);
  }
}

async function raw(a: AgentProcess, k: string): Promise<string | undefined> {
  const res = await fetch(`${a.base}/v1/kv/${k}?raw`, { signal: AbortSignal.timeout(20_000) });
  return res.status === 200 ? res.text() : undefined;
}

function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, resolve).on('error', reject).end());
}

interface SnapshotDoc {
  format: string;
  index: number;
  state: { index: number; kv: { Key: string; Value: string }[] };
}

test('a large snapshot streams in chunks of one index while the agent keeps serving, and restores that state', async (t) => {
  t.timeout(180_000);
  const a = await startAgent(t);
  await fill(a);
  const before = await raw(a, key(123));

  const res = await get(`${a.base}/v1/snapshot`);
  t.is(res.statusCode, 200);
  t.is(res.headers['transfer-encoding'], 'chunked', 'streamed, not sent as one body of known length');
  t.is(res.headers['content-length'], undefined);
  const index = Number(res.headers['x-consul-index']);
  t.true(index > 0);
  // Read the first chunk, then stop reading: the agent must hold back the rest and keep serving.
  const chunks: Buffer[] = [];
  const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
  res.pause();
  chunks.push(first);
  t.is((await fetch(`${a.base}/v1/kv/during`, { method: 'PUT', body: 'written while the snapshot streams' })).status, 200);
  t.is(await raw(a, 'during'), 'written while the snapshot streams');
  t.is((await fetch(`${a.base}/v1/kv/${key(7)}`, { method: 'DELETE' })).status, 200);
  res.on('data', (c: Buffer) => chunks.push(c));
  res.resume();
  await new Promise((resolve, reject) => res.on('end', resolve).on('error', reject));
  t.true(chunks.length > 2, `${chunks.length} chunks`);

  const file = Buffer.concat(chunks);
  const doc = JSON.parse(gunzipSync(file).toString('utf8')) as SnapshotDoc;
  t.is(doc.format, 'concord-snapshot');
  t.is(doc.index, index);
  const keys = doc.state.kv.map((e) => e.Key);
  t.true(keys.includes(key(7)), 'the key deleted after the snapshot began is in it');
  t.false(keys.includes('during'), 'the key written after the snapshot began is not');
  t.is(keys.filter((k) => k.startsWith('big/')).length, KEYS);

  // restoring it brings back exactly that state
  const restored = await fetch(`${a.base}/v1/snapshot`, { method: 'PUT', body: file });
  t.is(restored.status, 200, await restored.text());
  t.is(await raw(a, 'during'), undefined);
  t.is(await raw(a, key(123)), before);
  t.truthy(await raw(a, key(7)));
});

test('a restore cut short, truncated or holding garbage is refused with a clear error and leaves the state as it was', async (t) => {
  t.timeout(120_000);
  const a = await startAgent(t);
  t.is((await fetch(`${a.base}/v1/kv/kept`, { method: 'PUT', body: 'before' })).status, 200);
  const saved = Buffer.from(await (await fetch(`${a.base}/v1/snapshot`)).arrayBuffer());
  t.is((await fetch(`${a.base}/v1/kv/kept`, { method: 'PUT', body: 'after' })).status, 200);

  const put = async (body: Buffer) => {
    const res = await fetch(`${a.base}/v1/snapshot`, { method: 'PUT', body, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  };

  // an upload whose client goes away midway: nothing is restored, the agent keeps serving
  await new Promise<void>((resolve, reject) => {
    const s = connect(a.port, '127.0.0.1', () => {
      s.write(`PUT /v1/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${saved.length * 4}\r\n\r\n`);
      s.write(saved.subarray(0, saved.length >> 1), () => setTimeout(() => (s.destroy(), resolve()), 200));
    });
    s.on('error', reject);
  });

  const truncated = await put(saved.subarray(0, saved.length - 10));
  t.is(truncated.status, 400);
  t.regex(truncated.text, /^Invalid snapshot: /);

  const notJson = await put(gzipSync(Buffer.from('this is not a snapshot')));
  t.is(notJson.status, 400);
  t.regex(notJson.text, /^Invalid snapshot: /);

  const otherDoc = await put(gzipSync(Buffer.from(JSON.stringify({ format: 'something-else', version: 1, state: {} }))));
  t.is(otherDoc.status, 400);
  t.is(otherDoc.text, 'Invalid snapshot: not a Concord snapshot file');

  t.is(await raw(a, 'kept'), 'after', 'no failed restore changed the state');
  const restored = await put(saved);
  t.is(restored.status, 200, restored.text);
  t.is(await raw(a, 'kept'), 'before');
});
