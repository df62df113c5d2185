import test from 'ava';
import { Harness } from './_helpers.js';

function cluster(): Harness {
  const h = new Harness();
  h.node('n1', {
    Service: { ID: 'w1', Service: 'web' },
    Checks: [
      { CheckID: 'serfHealth', Status: 'passing' },
      { CheckID: 'service:w1', ServiceID: 'w1', Status: 'passing' },
    ],
  });
  h.node('n1', { Service: { ID: 'db1', Service: 'db' }, Check: { CheckID: 'service:db1', ServiceID: 'db1' } });
  h.node('n2', { Service: { ID: 'w2', Service: 'web' }, Check: { CheckID: 'serfHealth', Status: 'passing' } });
  return h;
}

const ids = (h: Harness, node: string) => ({
  services: h.store
    .servicesOnNode(node)
    .map((s) => s.ID)
    .sort(),
  checks: h.store
    .checksOnNode(node)
    .map((c) => c.CheckID)
    .sort(),
});

test('deregistering a service removes it and its checks, and keeps the node and its other services', (t) => {
  const h = cluster();
  t.is(h.apply({ type: 'deregister', dereg: { Node: 'n1', ServiceID: 'w1' } }).value, true);
  t.deepEqual(ids(h, 'n1'), { services: ['db1'], checks: ['serfHealth', 'service:db1'] });
  t.deepEqual(
    h.store.serviceNodes('web').value.map((s) => s.Node),
    ['n2'],
  );
  t.truthy(h.store.node('n1'));
});

test('deregistering a check removes only that check', (t) => {
  const h = cluster();
  h.apply({ type: 'deregister', dereg: { Node: 'n1', CheckID: 'service:w1' } });
  t.deepEqual(ids(h, 'n1'), { services: ['db1', 'w1'], checks: ['serfHealth', 'service:db1'] });
});

test('deregistering a node removes the node, its services and its checks', (t) => {
  const h = cluster();
  h.apply({ type: 'deregister', dereg: { Node: 'n1' } });
  t.is(h.store.node('n1'), undefined);
  t.deepEqual(ids(h, 'n1'), { services: [], checks: [] });
  t.deepEqual(Object.keys(h.store.services().value), ['web']);
  t.deepEqual(
    h.store.nodes().value.map((n) => n.Node),
    ['n2'],
  );
  t.is(h.store.nodes().index, h.index);
});

const noops: { title: string; dereg: { Node: string; ServiceID?: string; CheckID?: string } }[] = [
  { title: 'an unknown node', dereg: { Node: 'ghost' } },
  { title: 'an unknown service', dereg: { Node: 'n1', ServiceID: 'ghost' } },
  { title: 'an unknown check', dereg: { Node: 'n1', CheckID: 'ghost' } },
];
for (const row of noops) {
  test(`deregistering ${row.title} answers true and changes nothing`, (t) => {
    const h = cluster();
    const before = { ...h.store.snapshot(), index: 0 };
    t.is(h.apply({ type: 'deregister', dereg: row.dereg }).value, true);
    t.deepEqual({ ...h.store.snapshot(), index: 0 }, before);
  });
}
