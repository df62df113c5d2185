import test from 'ava';
import { Harness } from './_helpers.js';

test('registering a node stores it with the datacenter and the apply index', (t) => {
  const h = new Harness();
  t.is(h.node('n1', { ID: 'id-1', Address: '10.0.0.1', TaggedAddresses: { lan: '10.0.0.1' }, NodeMeta: { rack: 'r1' } }).value, true);
  t.deepEqual(h.store.node('n1'), {
    ID: 'id-1',
    Node: 'n1',
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    TaggedAddresses: { lan: '10.0.0.1' },
    Meta: { rack: 'r1' },
    CreateIndex: h.index,
    ModifyIndex: h.index,
  });
  t.is(h.store.nodes().index, h.index);
});

test("a service registration gets Consul's defaults: ID = name, empty tags, weights 1/1", (t) => {
  const h = new Harness();
  h.node('n1', { Service: { Service: 'redis' } });
  t.deepEqual(h.store.servicesOnNode('n1'), [
    {
      ID: 'redis',
      Service: 'redis',
      Tags: [],
      Address: '',
      Meta: {},
      Port: 0,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      CreateIndex: h.index,
      ModifyIndex: h.index,
    },
  ]);
});

test("a check registration gets Consul's defaults: CheckID = Name, status critical", (t) => {
  const h = new Harness();
  h.node('n1', { Service: { ID: 'r1', Service: 'redis', Tags: ['primary'] }, Check: { Name: 'Redis alive', ServiceID: 'r1' } });
  t.deepEqual(h.store.checksOnNode('n1'), [
    {
      Node: 'n1',
      CheckID: 'Redis alive',
      Name: 'Redis alive',
      Status: 'critical',
      Notes: '',
      Output: '',
      ServiceID: 'r1',
      ServiceName: 'redis',
      ServiceTags: ['primary'],
      Type: '',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
      CreateIndex: h.index,
      ModifyIndex: h.index,
    },
  ]);
});

test('a check with only a CheckID takes it as its Name', (t) => {
  const h = new Harness();
  h.node('n1', { Check: { CheckID: 'mem', Status: 'passing' } });
  t.like(h.store.checksOnNode('n1')[0], { CheckID: 'mem', Name: 'mem', Status: 'passing', ServiceID: '' });
});

test('Checks (plural) and Check are both registered', (t) => {
  const h = new Harness();
  h.node('n1', { Check: { CheckID: 'a' }, Checks: [{ CheckID: 'b' }, { CheckID: 'c' }] });
  t.deepEqual(
    h.store.nodeChecks('n1').value.map((c) => c.CheckID),
    ['a', 'b', 'c'],
  );
});

const invalid: { title: string; reg: Record<string, unknown>; code: string }[] = [
  { title: 'without a node name', reg: { Node: '', Address: '1.2.3.4' }, code: 'STATE_INVALID_REQUEST' },
  { title: 'without an address', reg: { Node: 'n1', Address: '' }, code: 'STATE_INVALID_REQUEST' },
  { title: 'with a service without a name', reg: { Node: 'n1', Address: 'a', Service: { ID: 'x', Service: '' } }, code: 'STATE_INVALID_REQUEST' },
  { title: 'with a bad check status', reg: { Node: 'n1', Address: 'a', Check: { CheckID: 'c', Status: 'ok' } }, code: 'STATE_INVALID_REQUEST' },
  { title: 'with a check without name or ID', reg: { Node: 'n1', Address: 'a', Check: { Status: 'passing' } }, code: 'STATE_INVALID_REQUEST' },
  { title: 'with a check for another node', reg: { Node: 'n1', Address: 'a', Check: { CheckID: 'c', Node: 'n2' } }, code: 'STATE_INVALID_REQUEST' },
  {
    title: 'with a check for a service that does not exist',
    reg: { Node: 'n1', Address: 'a', Check: { CheckID: 'c', ServiceID: 'ghost' } },
    code: 'STATE_UNKNOWN_SERVICE',
  },
];
for (const row of invalid) {
  test(`a registration ${row.title} is rejected with ${row.code} and changes nothing`, (t) => {
    const h = new Harness();
    h.node('other');
    const before = { ...h.store.snapshot(), index: 0 };
    const r = h.apply({ type: 'register', reg: row.reg as never });
    t.is(r.error?.code, row.code as never);
    t.deepEqual({ ...h.store.snapshot(), index: 0 }, before);
  });
}

test('a check may name a service registered in the same request or earlier', (t) => {
  const h = new Harness();
  t.is(h.node('n1', { Service: { ID: 'w1', Service: 'web' }, Check: { CheckID: 'c1', ServiceID: 'w1' } }).error, undefined);
  t.is(h.node('n1', { Check: { CheckID: 'c2', ServiceID: 'w1' } }).error, undefined);
  t.deepEqual(
    h.store.serviceChecks('web').value.map((c) => c.CheckID),
    ['c1', 'c2'],
  );
});

test('re-registering an identical node, service and check changes no index', (t) => {
  const h = new Harness();
  const reg = { Service: { ID: 'w1', Service: 'web', Tags: ['a'] }, Check: { CheckID: 'c', ServiceID: 'w1', Status: 'passing' as const } };
  h.node('n1', reg);
  const before = { ...h.store.snapshot(), index: 0 };
  h.node('n1', reg);
  t.deepEqual({ ...h.store.snapshot(), index: 0 }, before);
});

test('updating a service keeps its CreateIndex and refreshes ServiceTags on its checks', (t) => {
  const h = new Harness();
  h.node('n1', { Service: { ID: 'w1', Service: 'web', Tags: ['v1'] }, Check: { CheckID: 'c', ServiceID: 'w1' } });
  const created = h.index;
  h.node('n1', { Service: { ID: 'w1', Service: 'web', Tags: ['v2'], Port: 80 } });
  t.like(h.store.servicesOnNode('n1')[0], { CreateIndex: created, ModifyIndex: h.index, Tags: ['v2'], Port: 80 });
  t.deepEqual(h.store.checksOnNode('n1')[0]?.ServiceTags, ['v2']);
});

test('SkipNodeUpdate registers a service without touching an existing node', (t) => {
  const h = new Harness();
  h.node('n1', { Address: '10.0.0.1' });
  const node = h.store.node('n1');
  h.apply({ type: 'register', reg: { Node: 'n1', Address: '', SkipNodeUpdate: true, Service: { Service: 'web' } } });
  t.deepEqual(h.store.node('n1'), node);
  t.is(h.store.servicesOnNode('n1').length, 1);
});

test('a check-status command updates status and output of an existing check', (t) => {
  const h = new Harness();
  h.node('n1', { Service: { ID: 'w1', Service: 'web' }, Check: { CheckID: 'c', Name: 'web check', ServiceID: 'w1', Notes: 'n' } });
  const created = h.index;
  const r = h.apply({ type: 'check-status', node: 'n1', checkId: 'c', status: 'passing', output: 'ok' });
  t.is(r.error, undefined);
  t.like(h.store.checksOnNode('n1')[0], {
    CheckID: 'c',
    Name: 'web check',
    Notes: 'n',
    ServiceID: 'w1',
    Status: 'passing',
    Output: 'ok',
    CreateIndex: created,
    ModifyIndex: h.index,
  });
});

test('a check-status command for an unknown check is rejected', (t) => {
  const h = new Harness();
  h.node('n1');
  const r = h.apply({ type: 'check-status', node: 'n1', checkId: 'ghost', status: 'passing', output: '' });
  t.is(r.error?.code, 'STATE_UNKNOWN_CHECK');
});

test('an unknown command type is rejected with STATE_UNKNOWN_COMMAND', (t) => {
  const h = new Harness();
  const r = h.apply({ type: 'frob' } as never);
  t.is(r.error?.code, 'STATE_UNKNOWN_COMMAND');
});
