import test from 'ava';
import { Harness } from './_helpers.js';

function cluster(): Harness {
  const h = new Harness();
  h.node('n1', { ID: 'id1', Address: '10.0.0.1', NodeMeta: { rack: 'a' }, Service: { ID: 'w1', Service: 'web', Tags: ['v1', 'Primary'], Port: 80 } });
  h.node('n2', { Address: '10.0.0.2', Service: { ID: 'w2', Service: 'web', Tags: ['v2'], Address: '10.1.1.2', Port: 81 } });
  h.node('n2', { Address: '10.0.0.2', Service: { ID: 'db', Service: 'db' } });
  h.node('n3', { Address: '10.0.0.3' });
  return h;
}

test('services maps each name to the distinct tags of all its instances', (t) => {
  const h = cluster();
  h.node('n3', { Address: '10.0.0.3', Service: { ID: 'w3', Service: 'web', Tags: ['v1'] } });
  const r = h.store.services();
  t.deepEqual(r.value, { db: [], web: ['Primary', 'v1', 'v2'] });
  t.is(r.index, h.index);
});

test('serviceNodes lists every instance with node and service fields, sorted by node', (t) => {
  const h = cluster();
  const r = h.store.serviceNodes('web');
  t.deepEqual(
    r.value.map((s) => [s.Node, s.ServiceID, s.ServicePort]),
    [
      ['n1', 'w1', 80],
      ['n2', 'w2', 81],
    ],
  );
  t.like(r.value[0], {
    ID: 'id1',
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    NodeMeta: { rack: 'a' },
    ServiceName: 'web',
    ServiceTags: ['v1', 'Primary'],
    ServiceAddress: '',
    ServiceWeights: { Passing: 1, Warning: 1 },
    ServiceKind: '',
  });
  t.is(r.value[1]?.ServiceAddress, '10.1.1.2');
});

const tagRows: { title: string; tags: string[]; nodes: string[] }[] = [
  { title: 'serviceNodes with a tag keeps only instances that carry it', tags: ['v1'], nodes: ['n1'] },
  { title: 'the tag filter is case-insensitive', tags: ['V2'], nodes: ['n2'] },
  { title: 'a mixed-case tag matches a lower-case filter', tags: ['primary'], nodes: ['n1'] },
  { title: 'several tags must all match', tags: ['v1', 'primary'], nodes: ['n1'] },
  { title: 'several tags that no instance has together match nothing', tags: ['v1', 'v2'], nodes: [] },
  { title: 'no tags match every instance', tags: [], nodes: ['n1', 'n2'] },
];
for (const row of tagRows) {
  test(row.title, (t) => {
    t.deepEqual(
      cluster()
        .store.serviceNodes('web', row.tags)
        .value.map((s) => s.Node),
      row.nodes,
    );
  });
}

test('serviceNodes of an unknown service is empty with the services table index', (t) => {
  const h = cluster();
  const r = h.store.serviceNodes('ghost');
  t.deepEqual(r.value, []);
  t.is(r.index, h.store.services().index);
  t.is(r.index, 3, 'n3 without services did not move the services index');
});

test('nodeServices answers the node and its services keyed by ID', (t) => {
  const h = cluster();
  const r = h.store.nodeServices('n2');
  t.is(r.value?.Node.Node, 'n2');
  t.deepEqual(Object.keys(r.value?.Services ?? {}), ['db', 'w2']);
  t.deepEqual(h.store.nodeServices('n3').value?.Services, {});
});

test('nodeServices of an unknown node is null', (t) => {
  t.is(cluster().store.nodeServices('ghost').value, null);
});

test('nodes are sorted by name', (t) => {
  const h = new Harness();
  for (const n of ['b', 'c', 'a']) h.node(n);
  t.deepEqual(
    h.store.nodes().value.map((n) => n.Node),
    ['a', 'b', 'c'],
  );
});

test('Tags are never null, even when a registration omits them', (t) => {
  const h = cluster();
  for (const s of h.store.serviceNodes('db').value) t.deepEqual(s.ServiceTags, []);
  for (const e of h.store.healthService('db').value) t.deepEqual(e.Service.Tags, []);
});
