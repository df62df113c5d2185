import test from 'ava';
import { Harness } from './_helpers.js';

/** web on n1, db on n2, api and web on n3. */
function cluster(): Harness {
  const h = new Harness();
  h.node('n1', { Service: { ID: 'web1', Service: 'web' }, Check: { CheckID: 'serfHealth', Status: 'passing' } });
  h.node('n2', { Service: { ID: 'db1', Service: 'db' }, Check: { CheckID: 'serfHealth', Status: 'passing' } });
  h.node('n3', { Service: { ID: 'api1', Service: 'api' } });
  h.node('n3', { Service: { ID: 'web3', Service: 'web' }, Check: { CheckID: 'service:web3', ServiceID: 'web3', Status: 'passing' } });
  h.set('unrelated', 'kv');
  return h;
}

const idx = (h: Harness) => ({
  web: h.store.healthService('web').index,
  db: h.store.healthService('db').index,
  api: h.store.healthService('api').index,
});

const rows: { title: string; act: (h: Harness) => void; bumped: ('web' | 'db' | 'api')[] }[] = [
  {
    title: 'registering a new db instance bumps db only',
    act: (h) => void h.node('n3', { Service: { ID: 'db3', Service: 'db' } }),
    bumped: ['db'],
  },
  {
    title: 'a db service check changing status bumps db only',
    act: (h) => void h.node('n2', { Service: { ID: 'db1', Service: 'db' }, Check: { CheckID: 'c', ServiceID: 'db1', Status: 'warning' } }),
    bumped: ['db'],
  },
  {
    title: 'a service check of web3 changing bumps web only',
    act: (h) => void h.apply({ type: 'check-status', node: 'n3', checkId: 'service:web3', status: 'critical', output: '' }),
    bumped: ['web'],
  },
  {
    title: 'a node-level check change bumps every service on that node',
    act: (h) => void h.node('n3', { Check: { CheckID: 'mem', Status: 'warning' } }),
    bumped: ['web', 'api'],
  },
  {
    title: 'serfHealth going critical bumps the services on that node only',
    act: (h) => void h.node('n2', { Check: { CheckID: 'serfHealth', Status: 'critical' } }),
    bumped: ['db'],
  },
  {
    title: 'a node address change bumps every service on that node',
    act: (h) => void h.node('n3', { Address: '192.168.0.3' }),
    bumped: ['web', 'api'],
  },
  {
    title: 'deregistering a node bumps the services it had',
    act: (h) => void h.apply({ type: 'deregister', dereg: { Node: 'n3' } }),
    bumped: ['web', 'api'],
  },
  {
    title: 'deregistering a service bumps only that service',
    act: (h) => void h.apply({ type: 'deregister', dereg: { Node: 'n3', ServiceID: 'api1' } }),
    bumped: ['api'],
  },
  {
    title: 'renaming a service instance bumps the old and the new name',
    act: (h) => void h.node('n3', { Service: { ID: 'api1', Service: 'db' } }),
    bumped: ['api', 'db'],
  },
  { title: 'a KV write bumps no service', act: (h) => void h.set('k', 'v'), bumped: [] },
  {
    title: 'registering a node without services bumps no service',
    act: (h) => void h.node('n9', { Check: { CheckID: 'serfHealth', Status: 'critical' } }),
    bumped: [],
  },
];

for (const row of rows) {
  test(row.title, (t) => {
    const h = cluster();
    const before = idx(h);
    row.act(h);
    const after = idx(h);
    for (const name of ['web', 'db', 'api'] as const) {
      if (row.bumped.includes(name)) t.is(after[name], h.index, `${name} moved to the apply index`);
      else t.is(after[name], before[name], `${name} unchanged`);
    }
    t.is(h.store.serviceNodes('web').index, after.web, 'catalog and health share the per-service index');
  });
}

test('an unknown service has the services table index', (t) => {
  const h = cluster();
  const servicesIndex = h.store.services().index;
  t.is(h.store.healthService('ghost').index, servicesIndex);
  t.is(h.store.serviceNodes('ghost').index, servicesIndex);
  h.node('n3', { Service: { ID: 'db3', Service: 'db' } });
  t.is(h.store.healthService('ghost').index, h.index, 'it follows any service change');
});

test('a service that had all instances removed keeps its last index', (t) => {
  const h = cluster();
  h.apply({ type: 'deregister', dereg: { Node: 'n3', ServiceID: 'api1' } });
  const gone = h.index;
  h.node('n2', { Service: { ID: 'db2', Service: 'db' } });
  t.is(h.store.healthService('api').index, gone);
});

test('per-service indexes never go backwards', (t) => {
  const h = cluster();
  let last = idx(h);
  const steps = [
    () => h.node('n1', { Service: { ID: 'web1', Service: 'web', Tags: ['x'] } }),
    () => h.apply({ type: 'deregister', dereg: { Node: 'n1' } }),
    () => h.node('n1', { Service: { ID: 'web1', Service: 'web' } }),
    () => h.apply({ type: 'deregister', dereg: { Node: 'n3', CheckID: 'service:web3' } }),
  ];
  for (const step of steps) {
    step();
    const now = idx(h);
    for (const k of ['web', 'db', 'api'] as const) t.true(now[k] >= last[k], `${k} ${now[k]} >= ${last[k]}`);
    last = now;
  }
});
