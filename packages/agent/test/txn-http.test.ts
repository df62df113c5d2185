import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface TxnReply {
  Results: { KV: { Key: string; Value: string | null; ModifyIndex: number; CreateIndex: number } }[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
}

test('a txn sets and reads keys atomically and answers Results with Errors null', async (t) => {
  // node-consul 2.x takes the operations array itself (its typings say otherwise).
  const create = consul.transaction.create as unknown as (ops: unknown[]) => Promise<TxnReply>;
  const reply = (await create.call(consul.transaction, [
    { KV: { Verb: 'set', Key: 'txn/a', Value: b64('one') } },
    { KV: { Verb: 'set', Key: 'txn/b', Value: b64('two'), Flags: 7 } },
    { KV: { Verb: 'get', Key: 'txn/a' } },
  ])) as TxnReply;
  t.is(reply.Errors, null);
  t.is(reply.Results?.length, 3);
  t.is(reply.Results?.[0]?.KV.Key, 'txn/a');
  t.is(reply.Results?.[0]?.KV.Value, null, 'set results carry no value');
  t.is(reply.Results?.[2]?.KV.Value, b64('one'));
  const b = (await call(agent, 'GET', '/v1/kv/txn/b')).json<{ Flags: number; Value: string }[]>()[0];
  t.is(b?.Flags, 7);
  t.is(b?.Value, b64('two'));
  t.is(reply.Results?.[0]?.KV.ModifyIndex, reply.Results?.[1]?.KV.ModifyIndex, 'one log entry for the whole txn');
});

test('a failing cas rolls the whole txn back with 409 and the OpIndex of the failing op', async (t) => {
  t.true(await consul.kv.set('txn409/a', 'orig'));
  const before = (await call(agent, 'GET', '/v1/kv/txn409/?recurse')).text;
  const r = await call(agent, 'PUT', '/v1/txn', [
    { KV: { Verb: 'set', Key: 'txn409/new', Value: b64('x') } },
    { KV: { Verb: 'set', Key: 'txn409/a', Value: b64('changed') } },
    { KV: { Verb: 'cas', Key: 'txn409/a', Value: b64('y'), Index: 1 } },
  ]);
  t.is(r.status, 409);
  const body = r.json<TxnReply>();
  t.is(body.Results, null);
  t.is(body.Errors?.length, 1);
  t.is(body.Errors?.[0]?.OpIndex, 2);
  t.regex(body.Errors?.[0]?.What ?? '', /txn409\/a/);
  t.is((await call(agent, 'GET', '/v1/kv/txn409/?recurse')).text, before, 'nothing was applied');
  t.is((await call(agent, 'GET', '/v1/kv/txn409/new')).status, 404);
});

test('a get of a missing key fails the txn; check-not-exists and check-index guard writes', async (t) => {
  const missing = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'get', Key: 'txnget/nope' } }]);
  t.is(missing.status, 409);
  t.is(missing.json<TxnReply>().Errors?.[0]?.OpIndex, 0);
  t.true(await consul.kv.set('txnget/a', 'v'));
  const idx = (await call(agent, 'GET', '/v1/kv/txnget/a')).json<{ ModifyIndex: number }[]>()[0]?.ModifyIndex as number;
  const guarded = await call(agent, 'PUT', '/v1/txn', [
    { KV: { Verb: 'check-index', Key: 'txnget/a', Index: idx } },
    { KV: { Verb: 'check-not-exists', Key: 'txnget/b' } },
    { KV: { Verb: 'set', Key: 'txnget/b', Value: b64('b') } },
  ]);
  t.is(guarded.status, 200, guarded.text);
  const again = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'check-not-exists', Key: 'txnget/b' } }, { KV: { Verb: 'delete', Key: 'txnget/a' } }]);
  t.is(again.status, 409);
  t.is(again.json<TxnReply>().Errors?.[0]?.OpIndex, 0);
  t.is((await call(agent, 'GET', '/v1/kv/txnget/a')).status, 200);
});

test('128 operations are accepted and 129 are refused with 413', async (t) => {
  const ops = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ KV: { Verb: 'set', Key: `${prefix}/${i}`, Value: b64(String(i)) } }));
  const ok = await call(agent, 'PUT', '/v1/txn', ops(128, 'txn128'));
  t.is(ok.status, 200);
  t.is(ok.json<TxnReply>().Results?.length, 128);
  const tooMany = await call(agent, 'PUT', '/v1/txn', ops(129, 'txn129'));
  t.is(tooMany.status, 413);
  t.is(tooMany.text, 'Transaction contains too many operations (129 > 128)');
  t.is((await call(agent, 'GET', '/v1/kv/txn129/?keys')).status, 404);
});

test('a read-only txn is served as a read: 200, Results, "Errors":null and the query headers', async (t) => {
  t.true(await consul.kv.set('txnro/a', 'r'));
  const r = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'get', Key: 'txnro/a' } }, { KV: { Verb: 'get-tree', Key: 'txnro/' } }]);
  t.is(r.status, 200);
  t.true(r.text.includes('"Errors":null'), r.text);
  const body = r.json<TxnReply>();
  t.is(body.Results?.length, 2);
  t.is(body.Results?.[0]?.KV.Value, b64('r'));
  t.is(r.headers.get('x-consul-knownleader'), 'true');
  t.regex(r.headers.get('x-consul-lastcontact') ?? '', /^\d+$/);
});

test('a txn carrying a value over 524288 bytes is a 413 and applies nothing', async (t) => {
  const value = Buffer.alloc(524289, 1).toString('base64');
  const r = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: 'txnbig/a', Value: value } }]);
  t.is(r.status, 413);
  t.regex(r.text, /too large/);
  t.is((await call(agent, 'GET', '/v1/kv/txnbig/a')).status, 404);
});

test('txn is PUT only', async (t) => {
  const r = await call(agent, 'GET', '/v1/txn');
  t.is(r.status, 405);
  t.is(r.headers.get('allow'), 'OPTIONS,PUT');
});
