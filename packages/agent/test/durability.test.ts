import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type AgentProcess, call, startAgent, tempDir } from './_agent.js';
import { dig } from './_dns-helpers.js';

interface Entry {
  Key: string;
  Value: string | null;
  ModifyIndex: number;
  CreateIndex: number;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function listAll(agent: AgentProcess, prefix: string): Promise<Map<string, Entry>> {
  const r = await call(agent, 'GET', `/v1/kv/${prefix}?recurse`);
  if (r.status === 404) return new Map();
  if (r.status !== 200) throw new Error(`list ${prefix}: ${r.status} ${r.text}`);
  return new Map(r.json<Entry[]>().map((e) => [e.Key, e]));
}

test('every acknowledged write survives kill -9 right after the last ack, with its ModifyIndex', async (t) => {
  t.timeout(60_000);
  const dataDir = tempDir(t);
  const node = `durable-${process.pid}`;
  // 330 requests in flight at once from one address: above Consul's default per-client cap.
  const limits = join(tempDir(t), 'limits.json');
  writeFileSync(limits, JSON.stringify({ limits: { http_max_conns_per_client: 0 } }));
  const first = await startAgent(t, { durable: true, dataDir, node, extraArgs: ['-config-file', limits] });

  const session = await call(first, 'PUT', '/v1/session/create', { Name: 'survivor', LockDelay: '1s' });
  t.is(session.status, 200);
  const sessionId = session.json<{ ID: string }>().ID;
  const reg = await call(first, 'PUT', '/v1/catalog/register', {
    Node: 'ext-durable',
    Address: '10.5.0.1',
    Service: { ID: 'dsvc-1', Service: 'dsvc', Port: 7000, Tags: ['t'] },
    Check: { CheckID: 'dcheck', Name: 'dcheck', Status: 'passing', ServiceID: 'dsvc-1' },
  });
  t.is(reg.text, 'true');
  t.is((await call(first, 'PUT', `/v1/kv/d/locked?acquire=${sessionId}`, 'mine')).text, 'true');

  // 200 plain KV puts and 100 single-op txn sets, all in flight at once. The txn answers carry
  // the ModifyIndex each write was acknowledged with.
  const kvPuts = Array.from({ length: 200 }, (_, i) =>
    call(first, 'PUT', `/v1/kv/d/kv/${String(i).padStart(3, '0')}`, `value-${i}`).then((r) => {
      if (r.text !== 'true') throw new Error(`put ${i}: ${r.status} ${r.text}`);
    }),
  );
  const txnPuts = Array.from({ length: 100 }, (_, i) =>
    call(first, 'PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: `d/txn/${String(i).padStart(3, '0')}`, Value: b64(`txn-${i}`) } }]).then((r) => {
      if (r.status !== 200) throw new Error(`txn ${i}: ${r.status} ${r.text}`);
      const res = r.json<{ Results: { KV: Entry }[] }>().Results[0] as { KV: Entry };
      return res.KV;
    }),
  );
  const [, acked] = await Promise.all([Promise.all(kvPuts), Promise.all(txnPuts)]);
  // Writes still in flight at the kill: they may or may not survive, but never half.
  const unacked = Array.from({ length: 30 }, (_, i) => call(first, 'PUT', `/v1/kv/d/late/${i}`, `late-${i}`).catch(() => undefined));
  const killed = await first.stop('SIGKILL');
  t.is(killed, 'SIGKILL');
  await Promise.all(unacked);

  const second = await startAgent(t, { durable: true, dataDir, node });
  const kv = await listAll(second, 'd/kv/');
  t.is(kv.size, 200);
  for (let i = 0; i < 200; i++) {
    const e = kv.get(`d/kv/${String(i).padStart(3, '0')}`);
    t.is(e?.Value, b64(`value-${i}`), `d/kv/${i}`);
  }
  const kvIndexes = new Set([...kv.values()].map((e) => e.ModifyIndex));
  t.is(kvIndexes.size, 200, 'each put has its own log index');

  const txn = await listAll(second, 'd/txn/');
  t.is(txn.size, 100);
  for (const want of acked) {
    const got = txn.get(want.Key);
    t.is(got?.ModifyIndex, want.ModifyIndex, want.Key);
    t.is(got?.CreateIndex, want.CreateIndex, want.Key);
  }
  t.true(
    [...txn.values()].every((e) => !kvIndexes.has(e.ModifyIndex)),
    'no two writes share an index',
  );

  const late = await listAll(second, 'd/late/');
  for (const [key, e] of late) t.is(e.Value, b64(`late-${key.slice('d/late/'.length)}`), key);

  const info = await call(second, 'GET', `/v1/session/info/${sessionId}`);
  t.is(info.json<{ ID: string; Name: string }[]>()[0]?.Name, 'survivor');
  const locked = (await call(second, 'GET', '/v1/kv/d/locked')).json<{ Session?: string; LockIndex: number }[]>()[0];
  t.is(locked?.Session, sessionId);
  t.is(locked?.LockIndex, 1);
  const svc = (await call(second, 'GET', '/v1/catalog/service/dsvc')).json<{ ServiceID: string; ServicePort: number; Node: string }[]>();
  t.like(svc[0], { ServiceID: 'dsvc-1', ServicePort: 7000, Node: 'ext-durable' });
  const checks = (await call(second, 'GET', '/v1/health/checks/dsvc')).json<{ CheckID: string; Status: string }[]>();
  t.like(checks[0], { CheckID: 'dcheck', Status: 'passing' });

  // New writes continue above everything that was acknowledged before the crash.
  const maxBefore = Math.max(...kvIndexes, ...acked.map((e) => e.ModifyIndex));
  t.is((await call(second, 'PUT', '/v1/kv/d/after', 'x')).text, 'true');
  const after = (await call(second, 'GET', '/v1/kv/d/after')).json<Entry[]>()[0];
  t.true((after?.ModifyIndex ?? 0) > maxBefore, `${after?.ModifyIndex} <= ${maxBefore}`);
});

test('a clean SIGTERM shutdown keeps all data and a restart continues from it', async (t) => {
  t.timeout(60_000);
  const dataDir = tempDir(t);
  const node = `durable-term-${process.pid}`;
  const first = await startAgent(t, { durable: true, dataDir, node });
  for (let i = 0; i < 20; i++) t.is((await call(first, 'PUT', `/v1/kv/term/${i}?flags=${i}`, `v${i}`)).text, 'true');
  t.is((await call(first, 'DELETE', '/v1/kv/term/7')).text, 'true');
  const sessionId = (await call(first, 'PUT', '/v1/session/create', { Name: 'term', TTL: '60s' })).json<{ ID: string }>().ID;
  t.is((await call(first, 'PUT', '/v1/catalog/register', { Node: 'ext-term', Address: '10.6.0.1', Service: { Service: 'tsvc', Port: 1 } })).text, 'true');
  const before = await call(first, 'GET', '/v1/kv/term/?recurse');
  const indexBefore = Number(before.headers.get('x-consul-index'));

  t.is(await first.stop('SIGTERM'), 0, `exit code; output:\n${first.output().slice(-2000)}`);

  const second = await startAgent(t, { durable: true, dataDir, node });
  const after = await call(second, 'GET', '/v1/kv/term/?recurse');
  t.is(after.text, before.text);
  t.true(Number(after.headers.get('x-consul-index')) >= indexBefore, 'the list index does not go backwards');
  t.is(after.json<unknown[]>().length, 19);
  const session = (await call(second, 'GET', `/v1/session/info/${sessionId}`)).json<{ Name: string; TTL: string }[]>();
  t.like(session[0], { Name: 'term', TTL: '60s' });
  t.is((await call(second, 'GET', '/v1/catalog/service/tsvc')).json<unknown[]>().length, 1);
  const nodes = (await call(second, 'GET', '/v1/catalog/nodes')).json<{ Node: string }[]>().map((n) => n.Node);
  t.true(nodes.includes(node), 'the agent re-registered its own node');
  t.is(nodes.filter((n) => n === node).length, 1);
});

test('the first reads after a kill -9 restart already see the last acknowledged write, over HTTP and DNS', async (t) => {
  t.timeout(90_000);
  const dataDir = tempDir(t);
  const node = `durable-last-${process.pid}`;
  let agent = await startAgent(t, { durable: true, dataDir, node, dns: true });
  // One write at a time: the commit of the last one is never stored on its own, so the restarted
  // server learns it only when an entry of its new term commits. Reads that reach it before then
  // would miss that write; the race is short, so it is run several times.
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 5; i++) t.is((await call(agent, 'PUT', `/v1/kv/seq/${round}/${i}`, `v${i}`)).text, 'true');
    const reg = { Node: `ext-last-${round}`, Address: `10.7.0.${round + 1}`, Service: { Service: `last${round}`, Port: 9 } };
    t.is((await call(agent, 'PUT', '/v1/catalog/register', reg)).text, 'true');
    t.is((await call(agent, 'PUT', `/v1/kv/seq/last`, `final-${round}`)).text, 'true');
    t.is(await agent.stop('SIGKILL'), 'SIGKILL');

    agent = await startAgent(t, { durable: true, dataDir, node, dns: true });
    const [last, svc] = await Promise.all([call(agent, 'GET', '/v1/kv/seq/last'), call(agent, 'GET', `/v1/catalog/service/last${round}`)]);
    // DNS answers SERVFAIL while no leader is known (it does not wait); once HTTP got its answer
    // the leader is known, and DNS must be just as complete.
    const answer = await dig(agent.dnsPort, `last${round}.service.consul`, 'A');
    t.is(last.status, 200, last.text);
    t.is(last.json<Entry[]>()[0]?.Value, b64(`final-${round}`), `round ${round}`);
    t.is(svc.json<unknown[]>().length, 1, `round ${round}`);
    t.is(answer.status, 'NOERROR', answer.raw);
    t.deepEqual(
      answer.answer.map((r) => r.data),
      [`10.7.0.${round + 1}`],
    );
  }
  t.is((await call(agent, 'GET', '/v1/kv/seq/?keys')).json<string[]>().length, 21);
});
