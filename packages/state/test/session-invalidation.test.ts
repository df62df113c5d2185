import test from 'ava';
import { Harness, b64 } from './_helpers.js';

/** n1 with serfHealth and a web service with check service:web; n2 likewise. */
function cluster(): Harness {
  const h = new Harness();
  for (const n of ['n1', 'n2']) {
    h.node(n, {
      Service: { ID: 'web', Service: 'web' },
      Checks: [
        { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' },
        { CheckID: 'service:web', Name: 'web', ServiceID: 'web', Status: 'passing' },
      ],
    });
  }
  h.session('node-bound', 'n1', { NodeChecks: ['serfHealth'] });
  h.session('service-bound', 'n1', { NodeChecks: [], ServiceChecks: [{ ID: 'service:web' }] });
  h.session('unbound', 'n1', { NodeChecks: [] });
  h.session('other-node', 'n2', { NodeChecks: ['serfHealth'], ServiceChecks: [{ ID: 'service:web' }] });
  for (const s of ['node-bound', 'service-bound', 'unbound', 'other-node']) {
    h.kv({ Verb: 'lock', Key: `lock/${s}`, Value: b64(s), Session: s });
  }
  return h;
}

const alive = (h: Harness) =>
  h.store
    .sessions()
    .value.map((s) => s.ID)
    .sort();

const rows: { title: string; act: (h: Harness) => void; survivors: string[] }[] = [
  {
    title: 'serfHealth turning critical invalidates the sessions bound to it',
    act: (h) => void h.node('n1', { Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical' } }),
    survivors: ['other-node', 'service-bound', 'unbound'],
  },
  {
    title: 'a service check turning critical invalidates the sessions bound to it',
    act: (h) => void h.node('n1', { Check: { CheckID: 'service:web', Name: 'web', ServiceID: 'web', Status: 'critical' } }),
    survivors: ['node-bound', 'other-node', 'unbound'],
  },
  {
    title: 'a check turning warning invalidates nothing',
    act: (h) => {
      h.node('n1', { Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'warning' } });
      h.node('n1', { Check: { CheckID: 'service:web', Name: 'web', ServiceID: 'web', Status: 'warning' } });
    },
    survivors: ['node-bound', 'other-node', 'service-bound', 'unbound'],
  },
  {
    title: 'a check status command turning a check critical invalidates the sessions bound to it',
    act: (h) => void h.apply({ type: 'check-status', node: 'n1', checkId: 'serfHealth', status: 'critical', output: 'down' }),
    survivors: ['other-node', 'service-bound', 'unbound'],
  },
  {
    title: 'deregistering a check invalidates the sessions bound to it',
    act: (h) => void h.apply({ type: 'deregister', dereg: { Node: 'n1', CheckID: 'serfHealth' } }),
    survivors: ['other-node', 'service-bound', 'unbound'],
  },
  {
    title: 'deregistering a service invalidates the sessions bound to its checks',
    act: (h) => void h.apply({ type: 'deregister', dereg: { Node: 'n1', ServiceID: 'web' } }),
    survivors: ['node-bound', 'other-node', 'unbound'],
  },
  {
    title: 'deregistering a node invalidates all of its sessions',
    act: (h) => void h.apply({ type: 'deregister', dereg: { Node: 'n1' } }),
    survivors: ['other-node'],
  },
  {
    title: 'updating a node without touching its checks invalidates nothing',
    act: (h) => void h.node('n1', { Address: '192.168.1.1' }),
    survivors: ['node-bound', 'other-node', 'service-bound', 'unbound'],
  },
];

for (const row of rows) {
  test(row.title, (t) => {
    const h = cluster();
    row.act(h);
    t.deepEqual(alive(h), row.survivors);
    for (const s of ['node-bound', 'service-bound', 'unbound', 'other-node']) {
      const e = h.get(`lock/${s}`);
      if (row.survivors.includes(s)) t.is(e?.Session, s, `lock/${s} is still held`);
      else {
        t.is(e?.Session, undefined, `lock/${s} was released`);
        t.is(e?.LockIndex, 1);
        t.is(e?.ModifyIndex, h.index);
      }
    }
  });
}

test('invalidation by a critical check applies the lock-delay from the command time', (t) => {
  const h = cluster();
  h.apply({ type: 'register', reg: { Node: 'n1', Address: '10.0.0.2', Check: { CheckID: 'serfHealth', Name: 'x', Status: 'critical' } }, time: 7000 });
  t.is(h.store.lockDelayUntil('lock/node-bound'), 7000 + 15_000);
});

test('invalidating a delete session through node deregistration deletes its keys', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('d', 'n1', { Behavior: 'delete' });
  h.kv({ Verb: 'lock', Key: 'gone', Session: 'd' });
  h.apply({ type: 'deregister', dereg: { Node: 'n1' } });
  t.is(h.get('gone'), undefined);
  t.deepEqual(h.store.sessions().value, []);
});
