import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

// Positions on one axis (seconds); near-d is registered but has no coordinate.
const POSITIONS: Record<string, number> = { 'near-a': 0, 'near-b': 0.05, 'near-c': 0.02 };
const NODES = ['near-a', 'near-b', 'near-c', 'near-d'];

const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 1e-5 });

async function ok(method: string, path: string, body: object): Promise<void> {
  const r = await call(agent, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

test.before(async () => {
  // The agent's own periodic update would overwrite the coordinate the test gives its node.
  const dir = tempDir(scope);
  const config = join(dir, 'near.json');
  writeFileSync(config, JSON.stringify({ sync_coordinate_interval_min: '1h' }));
  agent = await startAgent(scope, { extraArgs: ['-config-file', config] });
  for (const node of NODES) {
    await ok('PUT', '/v1/catalog/register', {
      Node: node,
      Address: '10.2.0.1',
      Service: { Service: 'nearweb', Port: 80 },
      Check: { CheckID: 'nearweb-alive', Name: 'alive', ServiceID: 'nearweb', Status: 'passing' },
    });
  }
  for (const [node, x] of Object.entries(POSITIONS)) await ok('PUT', '/v1/coordinate/update', { Node: node, Coord: coord(x) });
});

/** The test's nodes in the order an endpoint lists them (other nodes, like the agent's, left out). */
async function order(path: string, nodeOf: (e: any) => string): Promise<string[]> {
  const r = await call(agent, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r
    .json<any[]>()
    .map(nodeOf)
    .filter((n) => NODES.includes(n));
}

const endpoints: Array<[string, (near: string) => string, (e: any) => string]> = [
  ['/v1/catalog/nodes', (near) => `/v1/catalog/nodes?near=${near}`, (e) => e.Node],
  ['/v1/catalog/service/<s>', (near) => `/v1/catalog/service/nearweb?near=${near}`, (e) => e.Node],
  ['/v1/health/service/<s>', (near) => `/v1/health/service/nearweb?near=${near}`, (e) => e.Node.Node],
  ['/v1/health/checks/<s>', (near) => `/v1/health/checks/nearweb?near=${near}`, (e) => e.Node],
  ['/v1/health/state/passing', (near) => `/v1/health/state/passing?near=${near}`, (e) => e.Node],
];

for (const [name, path, nodeOf] of endpoints) {
  test.serial(`${name}?near=<node> sorts by estimated RTT, nodes without a coordinate last`, async (t) => {
    t.deepEqual(await order(path('near-a'), nodeOf), ['near-a', 'near-c', 'near-b', 'near-d']);
    t.deepEqual(await order(path('near-b'), nodeOf), ['near-b', 'near-c', 'near-a', 'near-d']);
  });

  test.serial(`${name}?near= a node without a coordinate, or unknown, keeps the catalog order`, async (t) => {
    const plain = await order(path('').replace('?near=', ''), nodeOf);
    t.deepEqual(plain, ['near-a', 'near-b', 'near-c', 'near-d']);
    t.deepEqual(await order(path('near-d'), nodeOf), plain);
    t.deepEqual(await order(path('nobody'), nodeOf), plain);
  });

  test.serial(`${name}?near=_agent sorts from the agent's own node`, async (t) => {
    await ok('PUT', '/v1/coordinate/update', { Node: agent.node, Coord: coord(0.04) });
    // From 0.04: b is 0.01 away, c 0.02, a 0.04.
    t.deepEqual(await order(path('_agent'), nodeOf), ['near-b', 'near-c', 'near-a', 'near-d']);
  });
}

test.serial('?near= sorts without breaking blocking-query headers', async (t) => {
  const r = await call(agent, 'GET', '/v1/catalog/service/nearweb?near=near-a');
  t.regex(r.headers.get('x-consul-index') ?? '', /^[1-9]\d*$/);
  t.is(r.headers.get('x-consul-knownleader'), 'true');
});
