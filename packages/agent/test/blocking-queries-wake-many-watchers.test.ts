/**
 * One write wakes every blocking query on the key it changed, however many there are, each with
 * the new value and index; blocking queries on other keys keep waiting; the agent keeps answering
 * other requests meanwhile.
 */
import { writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { startAgent, tempDir } from './_agent.js';

const WATCHERS = 2_500;
const OTHERS = 50;

interface Held {
  socket: Socket;
  /** The raw response, once one arrived. */
  reply: Promise<string>;
}

/** A blocking GET on its own connection; `reply` settles with the first response's bytes. */
function hold(port: number, key: string, index: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /v1/kv/${key}?index=${index}&wait=5m HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      resolve({ socket, reply });
    });
    let text = '';
    const reply = new Promise<string>((done) => {
      socket.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        // one response: headers, then the body of the length they give
        const end = text.indexOf('\r\n\r\n');
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? Number.NaN);
        if (end >= 0 && Buffer.byteLength(text.slice(end + 4)) >= length) done(text);
      });
    });
    socket.on('error', reject);
  });
}

test('one write wakes thousands of blocking queries on its key with the new value and index, and no others', async (t) => {
  t.timeout(180_000);
  const limits = join(tempDir(t), 'limits.json');
  writeFileSync(limits, JSON.stringify({ limits: { http_max_conns_per_client: 0 } }));
  const a = await startAgent(t, { extraArgs: ['-config-file', limits] });
  t.is((await fetch(`${a.base}/v1/kv/watched`, { method: 'PUT', body: 'old' })).status, 200);
  t.is((await fetch(`${a.base}/v1/kv/other`, { method: 'PUT', body: 'still' })).status, 200);
  const index = (await fetch(`${a.base}/v1/kv/watched`)).headers.get('x-consul-index') as string;
  const otherIndex = (await fetch(`${a.base}/v1/kv/other`)).headers.get('x-consul-index') as string;

  const held: Held[] = [];
  for (let i = 0; i < WATCHERS; i += 100) held.push(...(await Promise.all(Array.from({ length: 100 }, () => hold(a.port, 'watched', index)))));
  const others = await Promise.all(Array.from({ length: OTHERS }, () => hold(a.port, 'other', otherIndex)));
  try {
    // every query is parked once the agent counts its watcher (the metric reports them)
    let parked = 0;
    for (let i = 0; i < 600 && parked < WATCHERS + OTHERS; i++) {
      const body = (await (await fetch(`${a.base}/v1/agent/metrics`)).json()) as { Gauges: { Name: string; Value: number }[] };
      parked = body.Gauges.find((g) => g.Name === 'concord_state_watchers')?.Value ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    t.true(parked >= WATCHERS + OTHERS, `${parked} watchers parked`);
    const write = await fetch(`${a.base}/v1/kv/watched`, { method: 'PUT', body: 'new' });
    t.is(write.status, 200);
    const replies = await Promise.all(held.map((h) => h.reply));
    // the agent answered other requests meanwhile
    t.is(await (await fetch(`${a.base}/v1/kv/other?raw`)).text(), 'still');
    const indexes = new Set<string>();
    for (const r of replies) {
      t.regex(r, /^HTTP\/1\.1 200 /);
      indexes.add(/x-consul-index: (\d+)/i.exec(r)?.[1] ?? '');
      const body = JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)) as { Value: string }[];
      if (Buffer.from(body[0]?.Value ?? '', 'base64').toString() !== 'new') t.fail(`a woken query answered ${r}`);
    }
    t.is(indexes.size, 1, 'every woken query answers the same new index');
    t.true(Number([...indexes][0]) > Number(index));
    // queries on another key were not woken
    const early = await Promise.race([Promise.any(others.map((o) => o.reply)), new Promise((r) => setTimeout(() => r('none'), 500))]);
    t.is(early, 'none');
  } finally {
    for (const h of [...held, ...others]) h.socket.destroy();
  }
});
