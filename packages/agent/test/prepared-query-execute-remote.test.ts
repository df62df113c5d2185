import test from 'ava';
import { StateStore, emptyPreparedQuery } from '@concord/state';
import { executeDefinition } from '../src/query/execute.js';
import { METHODS } from '../src/rpc/methods/index.js';

function definition(service: string) {
  const q = emptyPreparedQuery('4d1b9f5e-0000-4000-8000-000000000001');
  return { ...q, Name: 'from-elsewhere', Service: { ...q.Service, Service: service } };
}

test('PreparedQuery.ExecuteRemote takes a whole definition and a limit, and refuses anything else before it runs', (t) => {
  const m = METHODS['PreparedQuery.ExecuteRemote'];
  const ok = m.decode({ query: definition('api'), limit: 2 });
  t.is(ok.query.Service.Service, 'api');
  t.is(ok.query.ID, '4d1b9f5e-0000-4000-8000-000000000001');
  t.is(ok.limit, 2);
  const cases: [unknown, RegExp][] = [
    [[1], /arguments must be an object/],
    [{ query: null, limit: 0 }, /Must be bound to a session/],
    [{ query: definition(''), limit: 0 }, /Must provide a Service name/],
    [{ query: { ...definition('api'), Bogus: 1 }, limit: 0 }, /Bogus/],
    [{ query: definition('api'), limit: -1 }, /limit must be a whole number/],
    [{ query: definition('api'), limit: 1.5 }, /limit must be a whole number/],
    [{ query: definition('api'), limit: 'ten' }, /limit must be a number/],
  ];
  for (const [raw, message] of cases) t.throws(() => m.decode(raw), { message }, JSON.stringify(raw));
});

test('a definition from another datacenter runs here: healthy instances only, shuffled, limited, stamped with this datacenter', (t) => {
  const state = new StateStore({ datacenter: 'dc2' });
  let index = 0;
  for (const [node, status] of [
    ['a', 'passing'],
    ['b', 'passing'],
    ['c', 'critical'],
  ] as const) {
    state.apply(++index, {
      type: 'register',
      reg: {
        Node: node,
        Address: '10.0.0.1',
        Service: { ID: 'api', Service: 'api', Tags: [], Address: '', Meta: {}, Port: 80, EnableTagOverride: false },
        Check: { CheckID: 'api', Name: 'api', ServiceID: 'api', Status: status },
      },
    });
  }
  const all = executeDefinition(state, definition('api'), 0);
  t.is(all.Datacenter, 'dc2');
  t.is(all.Service, 'api');
  t.deepEqual(all.Nodes.map((n) => n.Node.Node).sort(), ['a', 'b']);
  t.is(executeDefinition(state, definition('api'), 1).Nodes.length, 1);
  t.deepEqual(executeDefinition(state, definition('none'), 0).Nodes, []);
  t.deepEqual(state.preparedQueries().value, [], 'the definition is not stored');
});
