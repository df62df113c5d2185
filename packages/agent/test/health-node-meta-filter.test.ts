import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
  for (const [node, rack, status] of [
    ['nm-a', 'r1', 'passing'],
    ['nm-b', 'r2', 'critical'],
    ['nm-c', 'r1', 'critical'],
  ] as const) {
    const r = await call(agent, 'PUT', '/v1/catalog/register', {
      Node: node,
      Address: '10.9.0.1',
      NodeMeta: { rack, env: 'prod' },
      Service: { ID: 'nmweb', Service: 'nmweb', Port: 80 },
      Check: { CheckID: 'nmweb-check', Name: 'web', ServiceID: 'nmweb', Status: status },
    });
    if (r.text !== 'true') throw new Error(`register ${node}: ${r.status} ${r.text}`);
  }
});

const nodesOf = (checks: { Node: string }[]) => checks.map((c) => c.Node).sort();

test('?node-meta on /v1/health/checks/<service> keeps the checks of nodes with all the given metadata', async (t) => {
  const all = await call(agent, 'GET', '/v1/health/checks/nmweb');
  t.deepEqual(nodesOf(all.json()), ['nm-a', 'nm-b', 'nm-c']);
  const r1 = await call(agent, 'GET', '/v1/health/checks/nmweb?node-meta=rack:r1');
  t.is(r1.status, 200);
  t.truthy(r1.headers.get('x-consul-index'));
  t.deepEqual(nodesOf(r1.json()), ['nm-a', 'nm-c']);
  const both = await call(agent, 'GET', '/v1/health/checks/nmweb?node-meta=rack:r1&node-meta=env:prod');
  t.deepEqual(nodesOf(both.json()), ['nm-a', 'nm-c']);
  const none = await call(agent, 'GET', '/v1/health/checks/nmweb?node-meta=rack:r1&node-meta=env:dev');
  t.deepEqual(none.json(), []);
});

test('?node-meta on /v1/health/state/<state> keeps the checks of nodes with all the given metadata', async (t) => {
  const critical = await call(agent, 'GET', '/v1/health/state/critical?node-meta=rack:r1');
  t.is(critical.status, 200);
  t.deepEqual(nodesOf(critical.json()), ['nm-c']);
  const any = await call(agent, 'GET', '/v1/health/state/any?node-meta=rack:r2');
  t.deepEqual(nodesOf(any.json()), ['nm-b']);
  const unfiltered = await call(agent, 'GET', '/v1/health/state/critical');
  t.true(nodesOf(unfiltered.json()).includes('nm-b'));
});
