import test from 'ava';
import type { StateStore, TxnOp } from '../src/index.js';
import { isTxnWrite } from '../src/index.js';
import { Harness, b64, watchCount } from './_helpers.js';

const comparable = (h: Harness) => ({ ...h.store.snapshot(), index: 0 });

/** Node n1 (agent node with serfHealth) running service web, a lock held by session s1, a coordinate. */
function seeded(): Harness {
  const h = new Harness();
  h.agentNode('n1');
  h.apply({
    type: 'register',
    reg: { Node: 'n1', Address: '10.0.0.2', Service: { ID: 'web1', Service: 'web', Tags: ['v1'], Port: 80 } },
  });
  h.session('s1', 'n1', { NodeChecks: ['serfHealth'] });
  h.kv({ Verb: 'lock', Key: 'leader', Value: b64('n1'), Session: 's1' });
  h.apply({
    type: 'coordinate-batch-update',
    updates: [{ Node: 'n1', Segment: '', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } }],
  });
  return h;
}

function txn(h: Harness, ops: TxnOp[]) {
  return h.txn(ops);
}

test('node, service, check and KV ops apply together at one index with one result each', (t) => {
  const h = new Harness();
  const r = txn(h, [
    { Node: { Verb: 'set', Node: { Node: 'db1', Address: '10.1.0.1', Meta: { rack: 'r1' } } } },
    { Service: { Verb: 'set', Node: 'db1', Service: { ID: 'pg', Service: 'postgres', Tags: ['primary'], Port: 5432 } } },
    { Check: { Verb: 'set', Check: { Node: 'db1', CheckID: 'pg-alive', Name: 'pg alive', Status: 'passing', ServiceID: 'pg' } } },
    { KV: { Verb: 'set', Key: 'db/primary', Value: b64('db1') } },
  ]);
  t.is(r.Errors, null);
  const index = h.index;
  t.deepEqual(r.Results, [
    {
      Node: {
        ID: '',
        Node: 'db1',
        Address: '10.1.0.1',
        Datacenter: 'dc1',
        TaggedAddresses: {},
        Meta: { rack: 'r1' },
        CreateIndex: index,
        ModifyIndex: index,
      },
    },
    {
      Service: {
        ID: 'pg',
        Service: 'postgres',
        Tags: ['primary'],
        Address: '',
        Meta: {},
        Port: 5432,
        Weights: { Passing: 1, Warning: 1 },
        EnableTagOverride: false,
        CreateIndex: index,
        ModifyIndex: index,
      },
    },
    {
      Check: {
        Node: 'db1',
        CheckID: 'pg-alive',
        Name: 'pg alive',
        Status: 'passing',
        Notes: '',
        Output: '',
        ServiceID: 'pg',
        ServiceName: 'postgres',
        ServiceTags: ['primary'],
        Type: '',
        Interval: '',
        Timeout: '',
        ExposedPort: 0,
        Definition: {},
        CreateIndex: index,
        ModifyIndex: index,
      },
    },
    { KV: { LockIndex: 0, Key: 'db/primary', Flags: 0, Value: null, CreateIndex: index, ModifyIndex: index } },
  ]);
  t.deepEqual(
    h.store.healthService('postgres').value.map((e) => [e.Node.Node, e.Service.ID, e.Checks.map((c) => c.Status)]),
    [['db1', 'pg', ['passing']]],
  );
});

test("get verbs read entries (node by name or by ID) and a missing one fails with Consul's text", (t) => {
  const h = seeded();
  h.apply({ type: 'register', reg: { Node: 'n2', ID: 'B3B6A5C4-0000-4000-8000-000000000002', Address: '10.0.0.3' } });
  const r = txn(h, [
    { Node: { Verb: 'get', Node: { Node: 'n1' } } },
    { Node: { Verb: 'get', Node: { Node: 'whatever', ID: 'b3b6a5c4-0000-4000-8000-000000000002' } } },
    { Service: { Verb: 'get', Node: 'n1', Service: { ID: 'web1', Service: '' } } },
    { Check: { Verb: 'get', Check: { Node: 'n1', CheckID: 'serfHealth' } } },
  ]);
  t.is(r.Errors, null);
  t.deepEqual(
    r.Results?.map((x) => ('Node' in x ? x.Node.Node : 'Service' in x ? x.Service.ID : 'Check' in x ? x.Check.CheckID : '')),
    ['n1', 'n2', 'web1', 'serfHealth'],
  );
  const missing = txn(h, [
    { Node: { Verb: 'get', Node: { Node: 'ghost' } } },
    { Service: { Verb: 'get', Node: 'n1', Service: { ID: 'nope', Service: '' } } },
    { Check: { Verb: 'get', Check: { Node: 'n1', CheckID: 'nope' } } },
  ]);
  t.deepEqual(missing, {
    Results: null,
    Errors: [
      { OpIndex: 0, What: 'node "ghost" doesn\'t exist' },
      { OpIndex: 1, What: 'service "nope" on node "n1" doesn\'t exist' },
      { OpIndex: 2, What: 'check "nope" on node "n1" doesn\'t exist' },
    ],
  });
});

test('cas verbs: 0 means must not exist, otherwise the ModifyIndex must match', (t) => {
  const h = seeded();
  const node = h.store.node('n1');
  const svc = h.store.servicesOnNode('n1').find((s) => s.ID === 'web1');
  const chk = h.store.checksOnNode('n1').find((c) => c.CheckID === 'serfHealth');
  const stale = txn(h, [
    { Node: { Verb: 'cas', Node: { Node: 'n1', Address: '10.9.9.9', ModifyIndex: 0 } } },
    { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 'web1', Service: 'web', ModifyIndex: 999 } } },
    { Check: { Verb: 'cas', Check: { Node: 'n1', CheckID: 'serfHealth', Status: 'warning', ModifyIndex: 1 + (chk?.ModifyIndex ?? 0) } } },
    { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 'new', Service: 'new', ModifyIndex: 5 } } },
  ]);
  t.deepEqual(stale.Errors, [
    { OpIndex: 0, What: 'failed to set node "n1", index is stale' },
    { OpIndex: 1, What: 'failed to set service "web1" on node "n1", index is stale' },
    { OpIndex: 2, What: 'failed to set check "serfHealth" on node "n1", index is stale' },
    { OpIndex: 3, What: 'failed to set service "new" on node "n1", index is stale' },
  ]);
  const ok = txn(h, [
    { Node: { Verb: 'cas', Node: { Node: 'n1', Address: '10.9.9.9', ModifyIndex: node?.ModifyIndex ?? -1 } } },
    { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 'web1', Service: 'web', Port: 81, ModifyIndex: svc?.ModifyIndex ?? -1 } } },
    { Check: { Verb: 'cas', Check: { Node: 'n1', CheckID: 'serfHealth', Status: 'warning', ModifyIndex: chk?.ModifyIndex ?? -1 } } },
    { Service: { Verb: 'cas', Node: 'n1', Service: { ID: 'new', Service: 'new', ModifyIndex: 0 } } },
  ]);
  t.is(ok.Errors, null);
  t.is(h.store.node('n1')?.Address, '10.9.9.9');
  t.is(h.store.servicesOnNode('n1').find((s) => s.ID === 'web1')?.Port, 81);
  t.is(h.store.checksOnNode('n1').find((c) => c.CheckID === 'serfHealth')?.Status, 'warning');
  t.truthy(h.store.servicesOnNode('n1').find((s) => s.ID === 'new'));
});

test('delete verbs remove entries (a missing one is fine); delete-cas needs the current ModifyIndex', (t) => {
  const h = seeded();
  const svc = h.store.servicesOnNode('n1').find((s) => s.ID === 'web1');
  const stale = txn(h, [
    { Service: { Verb: 'delete-cas', Node: 'n1', Service: { ID: 'web1', Service: '', ModifyIndex: 1 } } },
    { Check: { Verb: 'delete-cas', Check: { Node: 'n1', CheckID: 'ghost', ModifyIndex: 0 } } },
    { Node: { Verb: 'delete-cas', Node: { Node: 'ghost', ModifyIndex: 0 } } },
  ]);
  t.deepEqual(stale.Errors, [
    { OpIndex: 0, What: 'failed to delete service "web1" on node "n1", index is stale' },
    { OpIndex: 1, What: 'failed to delete check "ghost" on node "n1", index is stale' },
    { OpIndex: 2, What: 'failed to delete node "ghost", index is stale' },
  ]);
  const r = txn(h, [
    { Service: { Verb: 'delete-cas', Node: 'n1', Service: { ID: 'web1', Service: '', ModifyIndex: svc?.ModifyIndex ?? -1 } } },
    { Check: { Verb: 'delete', Check: { Node: 'n1', CheckID: 'not-there' } } },
    { Service: { Verb: 'delete', Node: 'n1', Service: { ID: 'not-there', Service: '' } } },
    { Node: { Verb: 'delete', Node: { Node: 'not-there' } } },
  ]);
  t.deepEqual(r, { Results: [], Errors: null });
  t.deepEqual(h.store.serviceNodes('web').value, []);
  const node = h.store.node('n1');
  t.is(txn(h, [{ Node: { Verb: 'delete-cas', Node: { Node: 'n1', ModifyIndex: node?.ModifyIndex ?? -1 } } }]).Errors, null);
  t.is(h.store.node('n1'), undefined);
  t.deepEqual(h.store.sessions().value, [], 'deleting the node destroyed its session');
  t.is(h.store.kvGet('leader').value?.Session, undefined, 'and released its lock');
  t.deepEqual(h.store.nodeCoordinates('n1').value, []);
});

test('service and check writes need their node and service to exist', (t) => {
  const h = seeded();
  const r = txn(h, [
    { Service: { Verb: 'set', Node: 'ghost', Service: { ID: 'x', Service: 'x' } } },
    { Check: { Verb: 'set', Check: { Node: 'ghost', CheckID: 'c' } } },
    { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'c', ServiceID: 'nope' } } },
    { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'c', Status: 'bad' as 'passing' } } },
    { Node: { Verb: 'set', Node: { Node: '' } } },
    { Node: { Verb: 'nope' as 'set', Node: { Node: 'n1' } } },
    { Session: { Verb: 'delete', Session: { ID: 'ghost' } } },
    {} as TxnOp,
  ]);
  t.deepEqual(r.Errors, [
    { OpIndex: 0, What: 'Missing node registration' },
    { OpIndex: 1, What: 'Missing node registration' },
    { OpIndex: 2, What: 'Missing service registration' },
    { OpIndex: 3, What: 'Check status must be one of passing, warning, critical' },
    { OpIndex: 4, What: 'Must provide node' },
    { OpIndex: 5, What: 'unknown Node verb "nope"' },
    { OpIndex: 6, What: 'failed to delete session: failed deleting session: not found' },
    { OpIndex: 7, What: 'no operation specified' },
  ]);
});

test('a check set without a status is critical, and a critical check destroys the sessions on it', (t) => {
  const h = seeded();
  const r = txn(h, [{ Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'serfHealth', Name: 'Serf Health Status' } } }]);
  t.is(r.Errors, null);
  t.like(r.Results?.[0], { Check: { Status: 'critical' } });
  t.deepEqual(h.store.sessions().value, []);
  t.is(h.store.kvGet('leader').value?.Session, undefined);
});

test('a session delete releases its locks like a destroy', (t) => {
  const h = seeded();
  const r = txn(h, [{ Session: { Verb: 'delete', Session: { ID: 's1' } } }, { KV: { Verb: 'get', Key: 'leader' } }]);
  t.is(r.Errors, null);
  t.is(r.Results?.length, 1);
  t.like(r.Results?.[0], { KV: { Key: 'leader', LockIndex: 1, Value: b64('n1') } });
  t.false('Session' in ((r.Results![0] as { KV: object }).KV ?? {}));
  t.deepEqual(h.store.sessions().value, []);
});

test('one failing op rolls back every catalog, session, coordinate and KV change of the txn', (t) => {
  const h = seeded();
  const before = comparable(h);
  const watchers = [
    watchCount(h.store, ['t:nodes', 't:services', 't:checks', 't:sessions', 't:coordinates', 'kvp:']),
    watchCount(h.store, ['svc:web', 'svc:api', 'node:n1', 'node:n9', 'kv:leader']),
  ];
  const r = txn(h, [
    { Node: { Verb: 'set', Node: { Node: 'n9', Address: '10.0.0.9' } } },
    { Service: { Verb: 'set', Node: 'n9', Service: { ID: 'api', Service: 'api', Port: 8080 } } },
    { Service: { Verb: 'set', Node: 'n1', Service: { ID: 'web1', Service: 'api' } } },
    { Check: { Verb: 'set', Check: { Node: 'n1', CheckID: 'serfHealth', Status: 'critical' } } },
    { KV: { Verb: 'set', Key: 'other', Value: b64('x') } },
    { Node: { Verb: 'delete', Node: { Node: 'n1' } } },
    { KV: { Verb: 'get', Key: 'missing' } },
  ]);
  t.deepEqual(r, { Results: null, Errors: [{ OpIndex: 6, What: 'key "missing" doesn\'t exist' }] });
  t.deepEqual(comparable(h), before, 'nodes, services, checks, sessions, locks, coordinates and indexes are as before');
  t.deepEqual(
    watchers.map((w) => w.fired()),
    [0, 0],
    'a rolled-back txn wakes no watcher',
  );
  t.deepEqual(
    h.store.serviceNodes('web').value.map((s) => s.ServiceID),
    ['web1'],
    'service index maps are restored too',
  );
  t.deepEqual(h.store.serviceNodes('api').value, []);
});

test('replicas applying the same txns end identical', (t) => {
  const replay = (store?: StateStore) => {
    const h = store ? new Harness(store) : seeded();
    txn(h, [
      { Node: { Verb: 'set', Node: { Node: 'n2', Address: '10.0.0.5' } } },
      { Service: { Verb: 'set', Node: 'n2', Service: { Service: 'cache', Port: 6379 } } },
      { Session: { Verb: 'delete', Session: { ID: 's1' } } },
    ]);
    txn(h, [{ Check: { Verb: 'set', Check: { Node: 'n2', CheckID: 'c', ServiceID: 'cache', Status: 'passing' } } }]);
    return h.store.snapshot();
  };
  t.deepEqual(replay(), replay());
});

test('writes are told from reads as Consul does', (t) => {
  t.false(isTxnWrite({ Node: { Verb: 'get', Node: { Node: 'a' } } }));
  t.false(isTxnWrite({ KV: { Verb: 'check-index', Key: 'a' } }));
  t.false(isTxnWrite({ Verb: 'get-tree', Key: 'a' }));
  t.true(isTxnWrite({ Check: { Verb: 'delete', Check: { Node: 'a', CheckID: 'c' } } }));
  t.true(isTxnWrite({ Session: { Verb: 'delete', Session: { ID: 's' } } }));
  t.true(isTxnWrite({ KV: { Verb: 'lock', Key: 'a' } }));
});
