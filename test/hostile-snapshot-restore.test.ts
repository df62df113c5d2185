/**
 * Finding 4 of the hostile-input review: `PUT /v1/snapshot` inflated synchronously with no cap (a
 * 1 MB upload took the agent to 2.2 GB RSS and stalled it for over a second) and buffered plain
 * bodies up to 1 GiB. The upload is now streamed to a temp file and inflated as a stream with a
 * hard cap (`limits.snapshot_restore_max_bytes`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import test from 'ava';
import { type AgentProcess, startAgent, tempDir } from '@concord/testkit';

/** A gzip stream of `mib` MiB of zeros: about a thousandth of that on the wire. */
async function gzipBomb(mib: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

function memKiB(a: AgentProcess, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${a.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

async function put(a: AgentProcess, body: Buffer): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${a.base}/v1/snapshot`, { method: 'PUT', body: new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
}

async function durableAgent(t: import('ava').ExecutionContext, limits?: Record<string, unknown>): Promise<AgentProcess> {
  const extraArgs: string[] = [];
  if (limits) {
    const file = join(tempDir(t), 'limits.json');
    writeFileSync(file, JSON.stringify({ limits }));
    extraArgs.push('-config-file', file);
  }
  const a = await startAgent(t, { durable: true, extraArgs });
  // The server leads once /v1/status/leader names it.
  for (let i = 0; i < 200; i++) {
    const leader = await (await fetch(`${a.base}/v1/status/leader`)).text();
    if (leader !== '""') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return a;
}

const bomb = gzipBomb(1024); // 1 GiB inflated, about 1 MB uploaded

test('a gzip bomb gets a 413 quickly and the agent memory stays bounded by the default cap', async (t) => {
  const a = await durableAgent(t);
  const before = memKiB(a, 'VmRSS');
  const r = await put(a, await bomb);
  t.is(r.status, 413, r.text);
  t.regex(r.text, /inflates to more than 134217728 bytes/);
  t.true(r.ms < 10_000, `answered in ${r.ms} ms`);
  const peakGrowthMiB = (memKiB(a, 'VmHWM') - before) / 1024;
  t.true(peakGrowthMiB < 400, `peak RSS grew by ${peakGrowthMiB.toFixed(0)} MiB`);
  t.is((await fetch(`${a.base}/v1/status/leader`)).status, 200, 'the agent still answers');
});

test('limits.snapshot_restore_max_bytes bounds uploads and inflated output; a real snapshot within it restores', async (t) => {
  const a = await durableAgent(t, { snapshot_restore_max_bytes: 8 * 1024 * 1024 });
  await fetch(`${a.base}/v1/kv/kept`, { method: 'PUT', body: 'before' });
  const saved = Buffer.from(await (await fetch(`${a.base}/v1/snapshot`)).arrayBuffer());
  await fetch(`${a.base}/v1/kv/kept`, { method: 'PUT', body: 'after' });

  const before = memKiB(a, 'VmRSS');
  const r = await put(a, await bomb);
  t.is(r.status, 413);
  t.regex(r.text, /inflates to more than 8388608 bytes/);
  const peakGrowthMiB = (memKiB(a, 'VmHWM') - before) / 1024;
  t.true(peakGrowthMiB < 64, `peak RSS grew by ${peakGrowthMiB.toFixed(0)} MiB`);

  // A plain body announced larger than the cap is refused before it is read.
  const announced = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${a.base}/v1/snapshot`, { method: 'PUT', headers: { 'Content-Length': String(2 * 1024 ** 3) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(Buffer.alloc(1024));
  });
  t.is(announced.status, 413);
  t.regex(announced.text, /Snapshot too large: 2147483648 bytes/);

  // A streamed body without Content-Length is cut at the cap.
  const streamed = await fetch(`${a.base}/v1/snapshot`, {
    method: 'PUT',
    body: new ReadableStream({
      start(c) {
        for (let i = 0; i < 12; i++) c.enqueue(new Uint8Array(1024 * 1024));
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  t.is(streamed.status, 413);

  // Not gzip at all: a 400 with the reason.
  const notGzip = await put(a, Buffer.from('{"format":"concord-snapshot"}'));
  t.is(notGzip.status, 400);
  t.regex(notGzip.text, /Invalid snapshot/);

  const restored = await put(a, saved);
  t.is(restored.status, 200, restored.text);
  t.is(await (await fetch(`${a.base}/v1/kv/kept?raw`)).text(), 'before');
});
