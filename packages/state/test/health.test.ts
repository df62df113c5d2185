import test from 'ava';
import type { CheckRegistration, HealthStatus } from '../src/index.js';
import { Harness } from './_helpers.js';

/** web on n1 and n2; each node has serfHealth, each instance its own check. */
function cluster(states: { n1serf?: HealthStatus; n1web?: HealthStatus; n2serf?: HealthStatus; n2web?: HealthStatus } = {}): Harness {
  const h = new Harness();
  for (const n of ['n1', 'n2'] as const) {
    const checks: CheckRegistration[] = [
      { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: states[`${n}serf`] ?? 'passing' },
      { CheckID: `service:web-${n}`, ServiceID: `web-${n}`, Status: states[`${n}web`] ?? 'passing' },
    ];
    h.node(n, { Service: { ID: `web-${n}`, Service: 'web', Tags: [n] }, Checks: checks });
  }
  h.node('n3', { Service: { ID: 'db', Service: 'db' }, Check: { CheckID: 'serfHealth', Status: 'critical' } });
  return h;
}

test('healthService returns node, service and node-level plus own checks, node checks first', (t) => {
  const h = cluster();
  const r = h.store.healthService('web');
  t.deepEqual(
    r.value.map((e) => [e.Node.Node, e.Service.ID, e.Checks.map((c) => c.CheckID)]),
    [
      ['n1', 'web-n1', ['serfHealth', 'service:web-n1']],
      ['n2', 'web-n2', ['serfHealth', 'service:web-n2']],
    ],
  );
});

const passingRows: { title: string; states: Parameters<typeof cluster>[0]; all: string[]; passing: string[] }[] = [
  { title: 'all passing', states: {}, all: ['n1', 'n2'], passing: ['n1', 'n2'] },
  { title: 'a critical service check', states: { n1web: 'critical' }, all: ['n1', 'n2'], passing: ['n2'] },
  { title: 'a warning service check', states: { n2web: 'warning' }, all: ['n1', 'n2'], passing: ['n1'] },
  { title: 'a critical serfHealth', states: { n1serf: 'critical' }, all: ['n1', 'n2'], passing: ['n2'] },
  { title: 'a warning serfHealth', states: { n2serf: 'warning' }, all: ['n1', 'n2'], passing: ['n1'] },
  { title: 'everything critical', states: { n1serf: 'critical', n2web: 'critical' }, all: ['n1', 'n2'], passing: [] },
];
for (const row of passingRows) {
  test(`healthService with passing, given ${row.title}, keeps only instances whose every check passes`, (t) => {
    const h = cluster(row.states);
    t.deepEqual(
      h.store.healthService('web').value.map((e) => e.Node.Node),
      row.all,
    );
    t.deepEqual(
      h.store.healthService('web', { passing: true }).value.map((e) => e.Node.Node),
      row.passing,
    );
    t.deepEqual(
      h.store.healthService('web', { passing: false }).value.map((e) => e.Node.Node),
      row.all,
    );
  });
}

test('a service check of another instance on the same node does not affect an instance', (t) => {
  const h = cluster();
  h.node('n1', { Service: { ID: 'web-b', Service: 'web' }, Check: { CheckID: 'service:web-b', ServiceID: 'web-b', Status: 'critical' } });
  t.deepEqual(
    h.store.healthService('web', { passing: true }).value.map((e) => e.Service.ID),
    ['web-n1', 'web-n2'],
  );
});

test('healthService filters by tag, case-insensitively', (t) => {
  const h = cluster();
  t.deepEqual(
    h.store.healthService('web', { tags: ['N2'] }).value.map((e) => e.Node.Node),
    ['n2'],
  );
});

test('healthService of an unknown service is empty', (t) => {
  t.deepEqual(cluster().store.healthService('ghost').value, []);
});

const stateRows: { state: HealthStatus | 'any'; expect: string[] }[] = [
  { state: 'any', expect: ['n1/serfHealth', 'n1/service:web-n1', 'n2/serfHealth', 'n2/service:web-n2', 'n3/serfHealth'] },
  { state: 'passing', expect: ['n1/serfHealth', 'n2/serfHealth', 'n2/service:web-n2'] },
  { state: 'warning', expect: [] },
  { state: 'critical', expect: ['n1/service:web-n1', 'n3/serfHealth'] },
];
for (const row of stateRows) {
  test(`checksInState(${row.state}) lists the matching checks sorted by node and check ID`, (t) => {
    const h = cluster({ n1web: 'critical' });
    const r = h.store.checksInState(row.state);
    t.deepEqual(
      r.value.map((c) => `${c.Node}/${c.CheckID}`),
      row.expect,
    );
    t.is(r.index, h.index);
  });
}

test('nodeChecks lists node-level and service checks of a node', (t) => {
  const h = cluster();
  t.deepEqual(
    h.store.nodeChecks('n1').value.map((c) => c.CheckID),
    ['serfHealth', 'service:web-n1'],
  );
  t.deepEqual(h.store.nodeChecks('ghost').value, []);
});

test('serviceChecks lists the checks of every instance of a service', (t) => {
  const h = cluster();
  t.deepEqual(
    h.store.serviceChecks('web').value.map((c) => `${c.Node}/${c.CheckID}`),
    ['n1/service:web-n1', 'n2/service:web-n2'],
  );
});
