/**
 * Single-key blocking reads as Consul answers them (KVS.Get: `X-Consul-Index` is the key's own
 * ModifyIndex; a missing key answers the KV table index). A watcher that always passes the body's
 * ModifyIndex must be held for the whole wait while only other keys change, and wake at once when
 * its key is written: on a dev agent, a durable single server, a follower and a client agent.
 */
import { startAgent } from '@concord/testkit';
import test, { type ExecutionContext } from 'ava';
import Consul from 'consul';
import { type WatchReply, KeyWatcher } from './_kv-key-watcher.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

const WAIT_MS = 1000;
/** How soon after a write is acknowledged the watcher must have the new value. */
const WAKE_MS = 100;
/** Writes to the watched key per scenario (every second one followed by a delete). */
const ROUNDS = 6;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function put(hostPort: string, key: string, value: string): Promise<number> {
  const r = await getText(hostPort, `/v1/kv/${key}`, { method: 'PUT', body: value });
  if (r.text !== 'true') throw new Error(`PUT ${key} via ${hostPort}: ${r.status} ${r.text}`);
  return Date.now();
}

async function del(hostPort: string, key: string): Promise<number> {
  const r = await getText(hostPort, `/v1/kv/${key}`, { method: 'DELETE' });
  if (r.text !== 'true') throw new Error(`DELETE ${key} via ${hostPort}: ${r.status} ${r.text}`);
  return Date.now();
}

/** Writes other keys every `everyMs` until stopped; resolves with how many it wrote. */
function otherWrites(hostPort: string, prefix: string, everyMs: number): { stop(): Promise<number> } {
  let stopped = false;
  const loop = (async () => {
    let n = 0;
    while (!stopped && n < 1000) {
      await put(hostPort, `${prefix}${n % 7}`, String(n));
      n++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return n;
  })();
  return {
    stop: async () => {
      stopped = true;
      return loop;
    },
  };
}

interface Where {
  /** Agent the watchers talk to. */
  watchOn: string;
  /** Agent the watched key is written through. */
  writeVia: string;
  /** Agent other keys are written through meanwhile. */
  otherVia: string;
}

/** The watcher scenario on one topology; `label` keeps keys apart. */
async function watcherScenario(t: ExecutionContext, label: string, where: Where): Promise<void> {
  const key = `leader/${label}`;
  const written = await put(where.writeVia, key, 'v1');
  t.true(written > 0);

  const raw = new KeyWatcher(where.watchOn, key, WAIT_MS);
  const first = await raw.start();
  t.is(first.status, 200, label);
  t.is(first.value, 'v1', label);
  t.is(first.modifyIndex, first.index, `${label}: X-Consul-Index is the key's ModifyIndex`);

  // The consul npm client's watch, which passes X-Consul-Index back as ?index=.
  const [host, port] = where.watchOn.split(':');
  const consul = new Consul({ host, port: Number(port) });
  let clientCalls = 0;
  const clientValues: { value: string | undefined; at: number }[] = [];
  const watch = consul.watch({
    method(this: unknown, opts: unknown) {
      clientCalls++;
      return (consul.kv.get as (o: unknown) => Promise<unknown>).call(this, opts);
    },
    options: { key, wait: `${WAIT_MS}ms` } as never,
  });
  const clientErrors: unknown[] = [];
  watch.on('error', (err: unknown) => clientErrors.push(err));
  watch.on('change', (data: { Value?: string | null } | undefined) => {
    clientValues.push({ value: data?.Value ?? undefined, at: Date.now() });
  });
  const clientSaw = (value: string | undefined, timeoutMs: number): Promise<number> =>
    until(async () => clientValues.find((c) => c.value === value)?.at, timeoutMs, `the consul client to see ${String(value)}`, 5);

  try {
    await clientSaw('v1', 5000);

    // 1. Nothing happens to the key while other keys are written: each request is held for the wait.
    const windowStart = Date.now();
    const repliesBefore = raw.replies.length;
    const callsBefore = clientCalls;
    const others = otherWrites(where.otherVia, `others/${label}/`, 40);
    await new Promise((r) => setTimeout(r, 3 * WAIT_MS + 300));
    const otherCount = await others.stop();
    const windowMs = Date.now() - windowStart;
    t.true(otherCount >= 3, `${label}: ${otherCount} other writes`);
    const table = await getText(where.watchOn, `/v1/kv/others/${label}/0`);
    t.true(Number(table.headers.get('x-consul-index')) > (first.modifyIndex ?? 0), 'other keys moved past the watched key');

    const periods = Math.ceil(windowMs / WAIT_MS);
    const rawRequests = raw.replies.length - repliesBefore + 1; // + the one in flight
    t.true(rawRequests <= 2 * periods, `${label}: ${rawRequests} requests in ${windowMs} ms`);
    const clientRequests = clientCalls - callsBefore;
    t.true(clientRequests <= 2 * periods, `${label}: the consul client made ${clientRequests} requests in ${windowMs} ms`);
    for (const r of raw.replies.slice(1)) {
      t.is(r.value, 'v1', `${label}: unchanged value`);
      t.true(r.heldMs >= WAIT_MS - 50, `${label}: a request without a change was held only ${r.heldMs} ms`);
      t.is(first.modifyIndex, r.index);
    }

    // 2. Writes to the key wake both watchers at once, deletes and re-creations included: a
    // missing key answers the table index (past the old ModifyIndex), and blocking on it wakes
    // when the key comes back. Measured over several writes: the median wake-up is what the
    // agent does, single outliers are the shared machine's scheduling.
    const rawMs: number[] = [];
    const clientMs: number[] = [];
    let lastModify = first.modifyIndex ?? 0;
    for (let round = 0; round < ROUNDS; round++) {
      const value = `v2-${round}`;
      const changed = raw.next((r) => r.value === value, 10_000);
      const ack = await put(where.writeVia, key, value);
      const woke: WatchReply = await changed;
      rawMs.push(woke.at - ack);
      t.is(woke.modifyIndex, woke.index);
      t.true((woke.modifyIndex ?? 0) > lastModify);
      lastModify = woke.modifyIndex ?? 0;
      clientMs.push((await clientSaw(value, 10_000)) - ack);

      if (round % 2 === 1) {
        const gone = raw.next((r) => r.status === 404, 10_000);
        const delAck = await del(where.writeVia, key);
        const missing = await gone;
        rawMs.push(missing.at - delAck);
        t.true(missing.index > lastModify, `${label}: missing key index ${missing.index}`);
        clientMs.push((await clientSaw(undefined, 10_000)) - delAck);
        clientValues.length = 0;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    t.deepEqual(clientErrors, []);
    t.log(`${label}: woke ${rawMs.join(', ')} ms (consul client ${clientMs.join(', ')} ms) after the writes; ${rawRequests} and ${clientRequests} requests in ${windowMs} ms`);
    for (const [who, ms] of [
      ['watcher', rawMs],
      ['consul client', clientMs],
    ] as const) {
      t.true(median(ms) < WAKE_MS, `${label}: the ${who} woke a median ${median(ms)} ms after the writes (${ms.join(', ')})`);
      t.true(Math.max(...ms) < WAIT_MS / 2, `${label}: every wake-up came from a write, not the wait (${ms.join(', ')})`);
    }
  } finally {
    watch.end();
    await raw.stop();
  }
}

test('a single-key watcher on a dev agent blocks for the wait and wakes on its key', async (t) => {
  const a = await startAgent(t);
  await watcherScenario(t, 'dev', { watchOn: a.httpAddr, writeVia: a.httpAddr, otherVia: a.httpAddr });
});

test('a single-key watcher on a durable server blocks for the wait and wakes on its key', async (t) => {
  const a = await startAgent(t, { durable: true });
  await until(async () => (await getText(a.httpAddr, '/v1/kv/ready')).status === 404, 20_000, 'a leader');
  await watcherScenario(t, 'durable', { watchOn: a.httpAddr, writeVia: a.httpAddr, otherVia: a.httpAddr });
});

test('single-key watchers on a follower and on a client agent block for the wait and wake on their key', async (t) => {
  t.timeout(120_000);
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const leader = await c.waitForLeader(servers);
  const followers = servers.filter((s) => s !== leader);
  const [f1, f2] = followers;
  if (!f1 || !f2) return t.fail('no followers');
  const client = await c.startClient({ join: servers[0] });
  await until(async () => (await getText(httpAddr(client), '/v1/kv/ready')).status === 404, 20_000, 'the client to reach a server');

  await watcherScenario(t, 'follower', { watchOn: httpAddr(f1), writeVia: httpAddr(f2), otherVia: httpAddr(leader) });
  await watcherScenario(t, 'client', { watchOn: httpAddr(client), writeVia: httpAddr(f1), otherVia: httpAddr(f2) });
});

test('a missing key answers the KV table index; ?recurse and ?keys answer the prefix index', async (t) => {
  const a = await startAgent(t);
  const index = async (path: string): Promise<{ status: number; index: number }> => {
    const r = await getText(a.httpAddr, path);
    return { status: r.status, index: Number(r.headers.get('x-consul-index')) };
  };
  const missingBefore = await index('/v1/kv/nothing/here');
  t.is(missingBefore.status, 404);
  t.true(missingBefore.index >= 1, 'never 0');
  await put(a.httpAddr, 'tree/a', '1');
  await put(a.httpAddr, 'tree/b', '2');
  await put(a.httpAddr, 'elsewhere', '3');
  const one = await index('/v1/kv/tree/a');
  const other = await index('/v1/kv/tree/b');
  const last = await index('/v1/kv/elsewhere');
  t.true(one.index < other.index && other.index < last.index);
  t.is((await index('/v1/kv/nothing/here')).index, last.index, 'a missing key: the table index');
  t.is((await index('/v1/kv/tree/?recurse')).index, other.index, '?recurse: the highest ModifyIndex under the prefix');
  t.is((await index('/v1/kv/tree/?keys')).index, other.index, '?keys: the same');
  t.is((await index('/v1/kv/tree/a?raw')).index, one.index, "?raw: the key's ModifyIndex");
});
