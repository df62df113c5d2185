/**
 * Finding 8 of the hostile-input review: a damaged raft log. A corrupted tail silently lost an
 * acknowledged write (499/500 after restart); a corruption in the middle refused to start with
 * "commit 1004 is out of range". A server must refuse with one message naming the data dir, what
 * was found and how to recover, and keep refusing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type Proc, ProcessCluster, getText } from './_process-cluster.js';

const WRITES = 300;

async function writeKeys(s: Proc): Promise<void> {
  for (let i = 0; i < WRITES; i++) {
    const r = await getText(s.httpPort, `/v1/kv/damage/k${String(i).padStart(4, '0')}`, { method: 'PUT', body: `v${i}` });
    if (r.text !== 'true') throw new Error(`write ${i} not acknowledged: ${r.status} ${r.text}`);
  }
}

/** The newest segment of the server's raft write-ahead log, and how many bytes of it hold records. */
function walOf(s: Proc): { path: string; used: number } {
  const dir = join(s.dataDir, 'raft', 'wal');
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith('.wal'))
    .sort();
  const path = join(dir, segments[segments.length - 1]!);
  // Segments are preallocated with zeros: the records end at the last non-zero byte.
  const bytes = readFileSync(path);
  let used = bytes.length;
  while (used > 0 && bytes[used - 1] === 0) used--;
  if (used < 10_000) throw new Error(`write-ahead log ${path} holds only ${used} bytes`);
  return { path, used };
}

function flipByteAt(wal: { path: string; used: number }, at: (size: number) => number): void {
  const bytes = readFileSync(wal.path);
  const i = at(wal.used);
  bytes[i] = bytes[i]! ^ 0xff;
  writeFileSync(wal.path, bytes);
}

async function refusesToStart(t: import('ava').ExecutionContext, c: ProcessCluster, s: Proc): Promise<string> {
  const err = await t.throwsAsync(() => c.restart(s));
  const out = err?.message ?? '';
  const line = out.split('\n').find((l) => l.includes('Error starting agent')) ?? '';
  t.regex(line, /raft log in data dir .* is damaged/, out.slice(-2000));
  t.true(line.includes(s.dataDir), 'the message names the data dir');
  t.regex(line, /rejoins and the leader sends it a snapshot/);
  t.regex(line, /concord snapshot restore/);
  return line;
}

for (const [where, at] of [
  ['at the tail', (size: number) => size - 40],
  ['in the middle', (size: number) => Math.floor(size / 2)],
] as const) {
  test(`a server whose raft log is damaged ${where} refuses to start, every time, with one message saying how to recover`, async (t) => {
    const c = new ProcessCluster(t);
    const [server] = await c.startServers(1);
    const s = server!;
    await writeKeys(s);
    await c.kill(s); // kill -9: every acknowledged write is in the write-ahead log
    flipByteAt(walOf(s), at);
    const first = await refusesToStart(t, c, s);
    t.log(first);
    // A refused start changes nothing on disk: the refusal must stick.
    await refusesToStart(t, c, s);
  });
}

test('an undamaged log written by kill -9 still starts with every acknowledged write', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const s = server!;
  await writeKeys(s);
  await c.kill(s);
  await c.restart(s);
  await c.waitForLeader([s], 20_000);
  const keys = JSON.parse((await getText(s.httpPort, '/v1/kv/damage/?keys')).text) as string[];
  t.is(keys.length, WRITES);
});
