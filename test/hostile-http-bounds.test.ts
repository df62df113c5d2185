/**
 * Findings 5 and 10 of the hostile-input review on the HTTP port: a client agent buffered any
 * forwarded body (100 MB: +370 MB RSS before the 413), there was no per-client connection cap
 * (Consul: 200, answered 429) and no request timeouts.
 */
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:http';
import test from 'ava';
import { type AgentProcess, startAgent, tempDir } from '@concord/testkit';
import { type Proc, ProcessCluster, getText, until } from './_process-cluster.js';

function hwmKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Sends `size` bytes (in 64 KiB chunks, as fast as the agent reads) and resolves with the answer. */
function pushBody(port: number, path: string, size: number, withLength: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'PUT', headers: withLength ? { 'Content-Length': String(size) } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < size && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function configured(t: import('ava').ExecutionContext, config: Record<string, unknown>): Promise<AgentProcess> {
  const file = join(tempDir(t), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return startAgent(t, { extraArgs: ['-config-file', file] });
}

test('a client agent refuses an oversized body on Content-Length and caps a chunked one, without buffering it', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const client: Proc = await c.startClient({ join: server });
  await until(async () => JSON.parse((await getText(client.httpPort, '/v1/status/leader')).text) !== '', 20_000, 'the client to find the server');
  const pid = client.child!.pid!;
  const before = hwmKiB(pid);
  const announced = await pushBody(client.httpPort, '/v1/kv/big', 100 * 1024 * 1024, true).catch((e: Error) => ({ status: 0, text: e.message }));
  t.is(announced.status, 413, announced.text);
  t.regex(announced.text, /too large, max size: 524288 bytes/);
  const chunked = await pushBody(client.httpPort, '/v1/kv/big', 20 * 1024 * 1024, false).catch((e: Error) => ({ status: 0, text: e.message }));
  t.is(chunked.status, 413, chunked.text);
  const grownMiB = (hwmKiB(pid) - before) / 1024;
  t.true(grownMiB < 40, `client peak RSS grew by ${grownMiB.toFixed(0)} MiB`);
  // A body within the limit still goes through the client to the server.
  const ok = await getText(client.httpPort, '/v1/kv/fits', { method: 'PUT', body: 'x'.repeat(500 * 1024) });
  t.is(ok.text, 'true');
});

function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

test('a client address holding 200 connections gets 429 on the next one, as Consul answers http_max_conns_per_client', async (t) => {
  const a = await startAgent(t);
  const held: Socket[] = [];
  t.teardown(() => {
    for (const s of held) s.destroy();
  });
  for (let i = 0; i < 200; i++) held.push(await openIdle(a.port));
  const over = await fetch(`${a.base}/v1/status/leader`, { signal: AbortSignal.timeout(5000) });
  t.is(over.status, 429);
  t.is(await over.text(), 'Your IP is issuing too many concurrent connections, please rate limit your calls');
  for (const s of held.splice(0, 10)) s.destroy();
  await new Promise((r) => setTimeout(r, 300));
  const again = await fetch(`${a.base}/v1/status/leader`, { signal: AbortSignal.timeout(5000) });
  t.is(again.status, 200, 'once connections close, the client is served again');
});

test('a request body that does not arrive in time is cut, while a blocking query runs its whole wait', async (t) => {
  const a = await configured(t, { limits: { http_body_timeout: '1s', http_headers_timeout: '1s' } });
  const first = await fetch(`${a.base}/v1/kv/blocking`, { method: 'PUT', body: 'a' });
  t.is(first.status, 200);
  const index = first.headers.get('x-consul-index') ?? (await fetch(`${a.base}/v1/kv/blocking`)).headers.get('x-consul-index');
  const started = Date.now();
  const blocked = await fetch(`${a.base}/v1/kv/blocking?index=${index}&wait=3s`);
  t.is(blocked.status, 200);
  t.true(Date.now() - started >= 2500, 'the blocking query waited');

  // Headers in, body announced, never sent.
  const slowBody = await openIdle(a.port);
  slowBody.resume(); // read what the agent answers, so its close is seen
  const bodyClosed = new Promise<number>((r) => slowBody.once('close', () => r(Date.now())));
  const t0 = Date.now();
  slowBody.write('PUT /v1/kv/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab');
  t.true((await Promise.race([bodyClosed, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 8000))])) - t0 < 6000, 'slow body cut');

  // Headers never finished.
  const slowHeaders = await openIdle(a.port);
  slowHeaders.resume();
  const headersClosed = new Promise<number>((r) => slowHeaders.once('close', () => r(Date.now())));
  const t1 = Date.now();
  slowHeaders.write('GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n');
  t.true((await Promise.race([headersClosed, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 8000))])) - t1 < 6000, 'slow headers cut');
});

test('limits.http_max_conns_per_client sets the cap', async (t) => {
  const a = await configured(t, { limits: { http_max_conns_per_client: 5 } });
  const held: Socket[] = [];
  t.teardown(() => {
    for (const s of held) s.destroy();
  });
  for (let i = 0; i < 5; i++) held.push(await openIdle(a.port));
  t.regex(await rawGet(a.port, '/v1/status/leader'), /^HTTP\/1\.1 429 /);
});

/** A GET on a new connection; resolves with what the agent sent back. */
async function rawGet(port: number, path: string): Promise<string> {
  const s = await openIdle(port);
  let out = '';
  s.on('data', (c: Buffer) => (out += c.toString()));
  s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await new Promise((r) => s.once('close', r));
  return out;
}
