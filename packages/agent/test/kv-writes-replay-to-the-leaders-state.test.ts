/**
 * The leader applies its own KV commands without decoding the bytes it logged; every other
 * server, a replay of the log and a restart from the snapshot decode them. Each must end with
 * exactly the leader's KV state (entries, indexes, flags, sessions).
 */
import { join } from 'node:path';
import test from 'ava';
import { StateStore, decodeCommand } from '@concord/state';
import { WalStorage } from 'raft-ts';
import { http, leaderOf, startMember, startServers } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';

/** Writes of every KV kind over HTTP: the fast path (a plain PUT), flags, cas, lock and unlock, deletes and a txn. */
async function writeEverything(base: string): Promise<void> {
  const ok = async (method: string, path: string, body?: string) => {
    const r = await http(base, path, { method, ...(body === undefined ? {} : { body }) });
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.text;
  };
  for (let i = 0; i < 40; i++) await ok('PUT', `/v1/kv/fast/${i}`, `value ${i} ${'v'.repeat(i * 7)}`);
  await ok('PUT', '/v1/kv/fast/empty', '');
  await ok('PUT', '/v1/kv/ключ/🔑', 'unicode key');
  await ok('PUT', '/v1/kv/flags?flags=42', 'f');
  await ok('PUT', '/v1/kv/flags/big?flags=18446744073709551615', 'big flags');
  const created = JSON.parse(await ok('GET', '/v1/kv/fast/0')) as { ModifyIndex: number }[];
  const index = created[0]?.ModifyIndex ?? 0;
  if ((await ok('PUT', `/v1/kv/fast/0?cas=${index}`, 'cas ok')) !== 'true') throw new Error('cas refused');
  if ((await ok('PUT', `/v1/kv/fast/0?cas=${index}`, 'cas stale')) !== 'false') throw new Error('stale cas accepted');
  if ((await ok('PUT', '/v1/kv/new?cas=0', 'created by cas')) !== 'true') throw new Error('cas=0 refused');
  const session = (JSON.parse(await ok('PUT', '/v1/session/create', JSON.stringify({ Name: 'replay', LockDelay: '0s' }))) as { ID: string }).ID;
  if ((await ok('PUT', `/v1/kv/lock/held?acquire=${session}`, 'holder')) !== 'true') throw new Error('acquire refused');
  if ((await ok('PUT', `/v1/kv/lock/released?acquire=${session}`, 'x')) !== 'true') throw new Error('acquire refused');
  if ((await ok('PUT', `/v1/kv/lock/released?release=${session}`, 'y')) !== 'true') throw new Error('release refused');
  await ok('DELETE', '/v1/kv/fast/1');
  await ok('DELETE', '/v1/kv/fast/2?cas=1');
  await ok('DELETE', '/v1/kv/fast/3');
  await ok('DELETE', '/v1/kv/fast/3?recurse');
  await ok('PUT', '/v1/kv/tree/a', 'a');
  await ok('PUT', '/v1/kv/tree/b', 'b');
  await ok('DELETE', '/v1/kv/tree/?recurse');
  const txn = JSON.stringify([
    { KV: { Verb: 'set', Key: 'txn/a', Value: Buffer.from('in a txn').toString('base64') } },
    { KV: { Verb: 'cas', Key: 'txn/b', Value: 'eA==', Index: 0 } },
  ]);
  await ok('PUT', '/v1/txn', txn);
}

/** The whole KV store as the API answers it (entries with their indexes, flags, lock indexes and sessions). */
async function kvDump(base: string, stale = false): Promise<{ index: string | null; text: string }> {
  const r = await http(base, `/v1/kv/?recurse${stale ? '&stale' : ''}`);
  if (r.status !== 200) throw new Error(`recurse: ${r.status} ${r.text}`);
  return { index: r.headers.get('x-consul-index'), text: r.text };
}

test("a replayed log and a restart from the snapshot give exactly the leader's KV state", async (t) => {
  const first = await startMember(t, { server: true, expect: 1 });
  await waitFor(() => first.agent.context.server?.isLeader() === true, 30_000, 50);
  await writeEverything(first.base);
  const live = await kvDump(first.base);
  const state = first.agent.context.server?.state;
  if (!state) throw new Error('not a server');
  const liveEntries = state.kvList('').value;
  t.is(liveEntries.length, 37); // fast/3?recurse took fast/30 to fast/39 too
  t.is(liveEntries.find((e) => e.Key === 'lock/held')?.LockIndex, 1);
  t.is(liveEntries.find((e) => e.Key === 'flags/big')?.Flags, '18446744073709551615');
  const liveSnapshot = state.snapshot();
  await first.agent.close();

  // Replay the log on disk, decoding every entry, into a fresh state.
  const storage = await WalStorage.open(join(first.dataDir, 'raft', 'wal'));
  const replayed = new StateStore({ datacenter: 'dc1' });
  try {
    t.is(storage.firstIndex(), 1, 'the log still holds every entry');
    for (const e of storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Number.POSITIVE_INFINITY)) {
      if (e.type === 'normal' && e.data.byteLength > 0 && e.index <= liveSnapshot.index) replayed.apply(e.index, decodeCommand(e.data));
    }
  } finally {
    await storage.close();
  }
  t.deepEqual(replayed.kvList('').value, liveEntries);
  t.deepEqual(replayed.snapshot(), liveSnapshot);

  // Restart on the same data dir: the state comes back from the snapshot taken at the clean stop.
  const again = await startMember(t, { server: true, expect: 1, dataDir: first.dataDir, name: first.name });
  await waitFor(() => again.agent.context.server?.isLeader() === true, 30_000, 50);
  t.is((await kvDump(again.base)).text, live.text);
});

test("followers, which decode every entry, hold exactly the leader's KV state", async (t) => {
  const servers = await startServers(t, 3);
  const leader = leaderOf(servers);
  if (!leader) throw new Error('no leader');
  await writeEverything(leader.base);
  const live = await kvDump(leader.base);
  for (const s of servers.filter((m) => m !== leader)) {
    const caughtUp = await waitFor(
      async () => {
        const d = await kvDump(s.base, true);
        return d.index === live.index ? d : undefined;
      },
      30_000,
      50,
    );
    t.is(caughtUp?.text, live.text, s.name);
  }
});
