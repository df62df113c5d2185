import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';
import { startMember } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

type Result = Record<string, Record<string, unknown>>;
interface TxnReply {
  Results: Result[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
}

/** node-consul 2.x takes the operations array itself (its typings say otherwise). */
async function consulTxn(ops: unknown[]): Promise<TxnReply> {
  const create = consul.transaction.create as unknown as (ops: unknown[]) => Promise<TxnReply>;
  return create.call(consul.transaction, ops);
}

test('the consul client registers a node, its service, a check and a KV key in one txn', async (t) => {
  const reply = await consulTxn([
    { Node: { Verb: 'set', Node: { Node: 'txn-db1', Address: '10.7.0.1', Meta: { rack: 'r1' } } } },
    { Service: { Verb: 'set', Node: 'txn-db1', Service: { ID: 'pg1', Service: 'txn-pg', Tags: ['primary'], Port: 5432 } } },
    { Check: { Verb: 'set', Check: { Node: 'txn-db1', CheckID: 'pg1-alive', Name: 'pg alive', Status: 'passing', ServiceID: 'pg1' } } },
    { KV: { Verb: 'set', Key: 'txn-db/primary', Value: b64('txn-db1') } },
  ]);
  t.is(reply.Errors, null);
  t.deepEqual(
    reply.Results?.map((r) => Object.keys(r)),
    [['Node'], ['Service'], ['Check'], ['KV']],
  );
  const [node, svc, check, kv] = (reply.Results ?? []).map((r) => Object.values(r)[0] as Record<string, unknown>);
  t.like(node, { Node: 'txn-db1', Address: '10.7.0.1', Datacenter: 'dc1', Meta: { rack: 'r1' } });
  t.like(svc, { ID: 'pg1', Service: 'txn-pg', Tags: ['primary'], Port: 5432 });
  t.like(check, { CheckID: 'pg1-alive', Status: 'passing', ServiceName: 'txn-pg' });
  t.like(kv, { Key: 'txn-db/primary', Value: null });
  const index = node?.ModifyIndex;
  t.true(
    [svc, check, kv].every((e) => e?.ModifyIndex === index),
    'one Raft entry for the whole txn',
  );

  const health = await call(agent, 'GET', '/v1/health/service/txn-pg?passing');
  t.deepEqual(
    health.json<{ Node: { Node: string }; Service: { ID: string }; Checks: { CheckID: string }[] }[]>().map((e) => [e.Node.Node, e.Service.ID, e.Checks.map((c) => c.CheckID)]),
    [['txn-db1', 'pg1', ['pg1-alive']]],
  );
  t.is((await call(agent, 'GET', '/v1/kv/txn-db/primary?raw')).text, 'txn-db1');
});

test("ops shaped as Consul's Go client sends them (every field, nulls, zero values) are accepted", async (t) => {
  const r = await call(agent, 'PUT', '/v1/txn', [
    {
      Node: {
        Verb: 'set',
        Node: { ID: '', Node: 'txn-go', Address: '10.7.4.1', Datacenter: '', TaggedAddresses: null, Meta: null, CreateIndex: 0, ModifyIndex: 0 },
      },
      KV: null,
      Service: null,
      Check: null,
    },
    {
      Service: {
        Verb: 'set',
        Node: 'txn-go',
        Service: {
          Kind: '',
          ID: 'go1',
          Service: 'txn-go-svc',
          Tags: null,
          Meta: null,
          Port: 0,
          Address: '',
          SocketPath: '',
          Weights: { Passing: 1, Warning: 1 },
          EnableTagOverride: false,
          CreateIndex: 0,
          ModifyIndex: 0,
          ContentHash: '',
          Namespace: '',
        },
      },
    },
    {
      Check: {
        Verb: 'set',
        Check: {
          Node: 'txn-go',
          CheckID: 'go1-check',
          Name: 'go check',
          Status: '',
          Notes: '',
          Output: '',
          ServiceID: 'go1',
          ServiceName: '',
          ServiceTags: null,
          Type: '',
          Namespace: '',
          ExposedPort: 0,
          Definition: {
            HTTP: '',
            Header: null,
            Method: '',
            Body: '',
            TLSServerName: '',
            TLSSkipVerify: false,
            TCP: '',
            IntervalDuration: 0,
            TimeoutDuration: 0,
            DeregisterCriticalServiceAfterDuration: 0,
            Interval: '0s',
            Timeout: '0s',
            DeregisterCriticalServiceAfter: '0s',
          },
          CreateIndex: 0,
          ModifyIndex: 0,
        },
      },
    },
  ]);
  t.is(r.status, 200, r.text);
  const check = r.json<TxnReply>().Results?.[2]?.Check;
  t.like(check, { CheckID: 'go1-check', Status: 'critical', ServiceName: 'txn-go-svc' });
});

test("a failing op rolls back every catalog and KV write of the txn with 409, OpIndex and Consul's text", async (t) => {
  const r = await call(agent, 'PUT', '/v1/txn', [
    { Node: { Verb: 'set', Node: { Node: 'txn-rollback', Address: '10.7.0.9' } } },
    { Service: { Verb: 'set', Node: 'txn-rollback', Service: { ID: 'rb', Service: 'txn-rb' } } },
    { KV: { Verb: 'set', Key: 'txn-rb/key', Value: b64('x') } },
    { Check: { Verb: 'get', Check: { Node: 'txn-rollback', CheckID: 'nope' } } },
    { Service: { Verb: 'cas', Node: 'txn-rollback', Service: { ID: 'rb', Service: 'txn-rb', ModifyIndex: 0 } } },
  ]);
  t.is(r.status, 409);
  t.is(r.headers.get('content-type'), 'application/json');
  t.deepEqual(r.json<TxnReply>(), {
    Results: null,
    Errors: [
      { OpIndex: 3, What: 'check "nope" on node "txn-rollback" doesn\'t exist' },
      { OpIndex: 4, What: 'failed to set service "rb" on node "txn-rollback", index is stale' },
    ],
  });
  t.is((await call(agent, 'GET', '/v1/catalog/node/txn-rollback')).text, 'null');
  t.deepEqual((await call(agent, 'GET', '/v1/catalog/service/txn-rb')).json(), []);
  t.is((await call(agent, 'GET', '/v1/kv/txn-rb/key')).status, 404);
});

test('cas and delete-cas take the ModifyIndex; a stale one is refused', async (t) => {
  const set = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'set', Node: { Node: 'txn-cas', Address: '10.7.1.1' } } }]);
  t.is(set.status, 200, set.text);
  const index = set.json<TxnReply>().Results?.[0]?.Node?.ModifyIndex as number;
  const stale = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'cas', Node: { Node: 'txn-cas', Address: '10.7.1.2', ModifyIndex: index + 100 } } }]);
  t.is(stale.status, 409);
  t.is(stale.json<TxnReply>().Errors?.[0]?.What, 'failed to set node "txn-cas", index is stale');
  const cas = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'cas', Node: { Node: 'txn-cas', Address: '10.7.1.2', ModifyIndex: index } } }]);
  t.is(cas.status, 200, cas.text);
  const newIndex = cas.json<TxnReply>().Results?.[0]?.Node?.ModifyIndex as number;
  t.true(newIndex > index);
  const staleDelete = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'delete-cas', Node: { Node: 'txn-cas', ModifyIndex: index } } }]);
  t.is(staleDelete.status, 409);
  t.is(staleDelete.json<TxnReply>().Errors?.[0]?.What, 'failed to delete node "txn-cas", index is stale');
  const del = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'delete-cas', Node: { Node: 'txn-cas', ModifyIndex: newIndex } } }]);
  t.is(del.status, 200, del.text);
  t.deepEqual(del.json<TxnReply>(), { Results: [], Errors: null });
  t.is((await call(agent, 'GET', '/v1/catalog/node/txn-cas')).text, 'null');
});

test('a txn of Node, Service and Check gets is served as a read with the query headers', async (t) => {
  const self = (await call(agent, 'GET', '/v1/agent/self')).json<{ Config: { NodeName: string } }>().Config.NodeName;
  const r = await call(agent, 'PUT', '/v1/txn?stale', [{ Node: { Verb: 'get', Node: { Node: self } } }, { Check: { Verb: 'get', Check: { Node: self, CheckID: 'serfHealth' } } }]);
  t.is(r.status, 200, r.text);
  t.true(r.text.includes('"Errors":null'));
  t.is(r.json<TxnReply>().Results?.[0]?.Node?.Node, self);
  t.is(r.json<TxnReply>().Results?.[1]?.Check?.CheckID, 'serfHealth');
  t.is(r.headers.get('x-consul-knownleader'), 'true');
  t.regex(r.headers.get('x-consul-lastcontact') ?? '', /^\d+$/);
  const orEmpty = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'get-or-empty', Key: 'txn-no-such-key' } }]);
  t.is(orEmpty.status, 200, orEmpty.text);
  t.deepEqual(orEmpty.json<TxnReply>().Results, [{ KV: { LockIndex: 0, Key: 'txn-no-such-key', Flags: 0, Value: null, CreateIndex: 0, ModifyIndex: 0 } }]);
  const missing = await call(agent, 'PUT', '/v1/txn', [{ Service: { Verb: 'get', Node: self, Service: { ID: 'ghost' } } }]);
  t.is(missing.status, 409);
  t.deepEqual(missing.json<TxnReply>().Errors, [{ OpIndex: 0, What: `service "ghost" on node "${self}" doesn't exist` }]);
});

test('a Session delete op destroys the session and releases its lock with the rest of the txn', async (t) => {
  const { ID: session } = (await call(agent, 'PUT', '/v1/session/create', { Name: 'txn-lock', LockDelay: '0s' })).json<{ ID: string }>();
  t.is((await call(agent, 'PUT', `/v1/kv/txn-lock/leader?acquire=${session}`, 'me')).text, 'true');
  const r = await call(agent, 'PUT', '/v1/txn', [{ Session: { Verb: 'delete', Session: { ID: session } } }, { KV: { Verb: 'get', Key: 'txn-lock/leader' } }]);
  t.is(r.status, 200, r.text);
  t.false('Session' in (r.json<TxnReply>().Results?.[0]?.KV ?? { Session: 1 }), 'the lock is released in the same txn');
  t.deepEqual((await call(agent, 'GET', `/v1/session/info/${session}`)).json(), []);
  const again = await call(agent, 'PUT', '/v1/txn', [{ Session: { Verb: 'delete', Session: { ID: session } } }]);
  t.is(again.status, 409);
  t.deepEqual(again.json<TxnReply>().Errors, [{ OpIndex: 0, What: 'failed to delete session: failed deleting session: not found' }]);
});

const badBodies: { what: string; body: unknown; status: number; text: string }[] = [
  { what: 'a Node op that is not an object', body: [{ Node: 'x' }], status: 400, text: 'Failed to parse body: operation 0: Node must be an object' },
  {
    what: 'an op with two kinds',
    body: [{ KV: { Verb: 'get', Key: 'a' }, Node: { Verb: 'get', Node: { Node: 'a' } } }],
    status: 400,
    text: 'Failed to parse body: operation 0: has more than one operation (KV, Node)',
  },
  {
    what: 'a Service port that is a string',
    body: [{ Service: { Verb: 'set', Node: 'n', Service: { Service: 's', Port: '80' } } }],
    status: 400,
    text: 'Failed to parse body: operation 0: Port must be an integer between 0 and 65535',
  },
  {
    what: 'check Definition header values that are not lists',
    body: [{ Check: { Verb: 'set', Check: { Node: 'n', CheckID: 'c', Definition: { Header: { A: 'b' } } } } }],
    status: 400,
    text: 'Failed to parse body: operation 0: Definition.Header must be a map of string lists',
  },
  { what: 'an unknown op kind', body: [{ Intention: {} }], status: 400, text: 'Failed to parse body: operation 0: unsupported operation type "Intention"' },
];

for (const row of badBodies) {
  test(`${row.what} is refused with ${row.status} and a reason`, async (t) => {
    const r = await call(agent, 'PUT', '/v1/txn', row.body as object);
    t.is(r.status, row.status);
    t.is(r.text, row.text);
  });
}

test('a Node op naming another datacenter is refused with 500 No path to datacenter and nothing is applied', async (t) => {
  const r = await call(agent, 'PUT', '/v1/txn', [
    { KV: { Verb: 'set', Key: 'txn-dc/a', Value: b64('a') } },
    { Node: { Verb: 'set', Node: { Node: 'txn-dc2', Address: '10.7.3.1', Datacenter: 'dc2' } } },
  ]);
  t.is(r.status, 500);
  t.is(r.text, 'No path to datacenter');
  t.is((await call(agent, 'GET', '/v1/kv/txn-dc/a')).status, 404);
  t.is((await call(agent, 'GET', '/v1/catalog/node/txn-dc2')).text, 'null');
  const same = await call(agent, 'PUT', '/v1/txn', [{ Node: { Verb: 'set', Node: { Node: 'txn-dc1', Address: '10.7.3.2', Datacenter: 'DC1' } } }]);
  t.is(same.status, 200, same.text);
});

test("an unknown Node verb fails at its op with 409, as Consul's state store reports it", async (t) => {
  const r = await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: 'txn-verb/a', Value: b64('a') } }, { Node: { Verb: 'explode', Node: { Node: 'x' } } }]);
  t.is(r.status, 409);
  t.deepEqual(r.json<TxnReply>().Errors, [{ OpIndex: 1, What: 'unknown Node verb "explode"' }]);
  t.is((await call(agent, 'GET', '/v1/kv/txn-verb/a')).status, 404);
});

test('a client agent forwards catalog txns to the servers', async (t) => {
  const server = await startMember(t, { server: true, expect: 1 });
  const client = await startMember(t, { join: server });
  const ok = await waitFor(
    async () => {
      const r = await fetch(`${client.base}/v1/txn`, {
        method: 'PUT',
        body: JSON.stringify([
          { Node: { Verb: 'set', Node: { Node: 'txn-remote', Address: '10.7.2.1' } } },
          { Service: { Verb: 'set', Node: 'txn-remote', Service: { ID: 'r1', Service: 'txn-remote-svc', Port: 1 } } },
        ]),
      });
      return r.status === 200 ? r : undefined;
    },
    20_000,
    200,
  );
  t.truthy(ok, 'the client agent answered the txn once it had a server');
  const nodes = (await (await fetch(`${server.base}/v1/catalog/service/txn-remote-svc`)).json()) as { Node: string }[];
  t.deepEqual(
    nodes.map((n) => n.Node),
    ['txn-remote'],
  );
});
