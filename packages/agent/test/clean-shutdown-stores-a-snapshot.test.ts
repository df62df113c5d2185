/**
 * A server stopped cleanly (SIGTERM) stores a raft snapshot of everything it applied, so that its
 * next start restores that snapshot instead of replaying the log entry by entry; the restarted
 * server answers every key with the same ModifyIndex.
 */
import { join } from 'node:path';
import test from 'ava';
import { WalStorage } from 'raft-ts';
import { startAgent, tempDir } from './_agent.js';

test('a clean shutdown stores a snapshot covering the last write, and the restart answers from it', async (t) => {
  t.timeout(120_000);
  const dataDir = tempDir(t);
  const node = `snapclose-${process.pid}`;
  const first = await startAgent(t, { durable: true, dataDir, node });
  const written = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const ops = Array.from({ length: 16 }, (_, j) => ({ KV: { Verb: 'set', Key: `s/${i}/${j}`, Value: Buffer.from(`v${i}.${j}`).toString('base64') } }));
    const res = await fetch(`${first.base}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) });
    t.is(res.status, 200);
    const body = (await res.json()) as { Results: { KV: { Key: string; ModifyIndex: number } }[] };
    for (const r of body.Results) written.set(r.KV.Key, r.KV.ModifyIndex);
  }
  const last = Math.max(...written.values());
  t.is(await first.stop('SIGTERM'), 0);

  const storage = await WalStorage.open(join(dataDir, 'raft', 'wal'));
  try {
    t.true(storage.snapshot().meta.index >= last, `snapshot at ${storage.snapshot().meta.index}, last write at ${last}`);
  } finally {
    await storage.close();
  }

  const second = await startAgent(t, { durable: true, dataDir, node });
  let entries: { Key: string; ModifyIndex: number }[] = [];
  for (let i = 0; i < 200 && entries.length < written.size; i++) {
    const res = await fetch(`${second.base}/v1/kv/s/?recurse`);
    if (res.status === 200) entries = (await res.json()) as typeof entries;
    else await new Promise((r) => setTimeout(r, 100));
  }
  t.is(entries.length, written.size);
  for (const e of entries) t.is(e.ModifyIndex, written.get(e.Key) ?? -1, e.Key);
});
