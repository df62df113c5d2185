import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

interface Coord {
  Vec: number[];
  Error: number;
  Adjustment: number;
  Height: number;
}
interface Entry {
  Node: string;
  Segment: string;
  Coord: Coord;
}

const coord = (x: number, y = 0): Coord => ({ Vec: [x, y, 0, 0, 0, 0, 0, 0], Error: 0.4, Adjustment: 0, Height: 1e-5 });

async function register(node: string): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/catalog/register', { Node: node, Address: '10.1.1.1' });
  if (r.text !== 'true') throw new Error(`register ${node}: ${r.status} ${r.text}`);
}

async function update(node: string, c: Coord, segment = ''): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/coordinate/update', { Node: node, Segment: segment, Coord: c });
  if (r.status !== 200) throw new Error(`update ${node}: ${r.status} ${r.text}`);
}

test.serial('an update is read back from /v1/coordinate/nodes and /v1/coordinate/node/<n> with X-Consul-* headers', async (t) => {
  await register('co-a');
  await register('co-b');
  const put = await call(agent, 'PUT', '/v1/coordinate/update', { Node: 'co-a', Segment: '', Coord: coord(0.01) });
  t.is(put.status, 200);
  t.is(put.text, '');

  const all = await call(agent, 'GET', '/v1/coordinate/nodes');
  t.is(all.status, 200);
  t.regex(all.headers.get('x-consul-index') ?? '', /^[1-9]\d*$/);
  t.is(all.headers.get('x-consul-knownleader'), 'true');
  t.is(all.headers.get('x-consul-lastcontact'), '0');
  t.deepEqual(
    all.json<Entry[]>().find((e) => e.Node === 'co-a'),
    { Node: 'co-a', Segment: '', Coord: coord(0.01) },
  );

  const one = await call(agent, 'GET', '/v1/coordinate/node/co-a');
  t.is(one.status, 200);
  t.deepEqual(one.json<Entry[]>(), [{ Node: 'co-a', Segment: '', Coord: coord(0.01) }]);

  const none = await call(agent, 'GET', '/v1/coordinate/node/co-b');
  t.is(none.status, 404);
  t.is(none.text, '');
  t.regex(none.headers.get('x-consul-index') ?? '', /^[1-9]\d*$/);
});

test.serial('bad updates get a 400 with a reason and change nothing', async (t) => {
  await register('co-bad');
  const before = (await call(agent, 'GET', '/v1/coordinate/nodes')).json<Entry[]>();
  const cases: Array<[unknown, RegExp]> = [
    [{ Node: 'co-bad', Coord: { ...coord(0), Vec: [1, 2, 3] } }, /^incompatible coordinate: coordinate dimensionality 3 is not 8$/],
    [{ Node: 'co-bad', Coord: { ...coord(0), Error: 'x' } }, /^invalid coordinate: coordinate Error must be a finite number$/],
    [{ Node: 'co-bad', Coord: { ...coord(0), Vec: [0, 0, 0, 0, 0, 0, 0, null] } }, /^invalid coordinate: /],
    [{ Node: 'co-bad', Coord: 5 }, /^invalid coordinate: Coord must be an object$/],
    [{ Node: 'co-ghost', Coord: coord(0) }, /^Unknown node "co-ghost"/],
    [{ Coord: coord(0) }, /^Must provide node$/],
    [{ Node: 'co-bad', Coord: coord(0), Color: 'red' }, /unknown field "Color"/],
    ['{"Node":', /^Request decode failed/],
    ['[1]', /^Request decode failed: body must be a JSON object$/],
  ];
  for (const [body, reason] of cases) {
    const r = await call(agent, 'PUT', '/v1/coordinate/update', body as object);
    t.is(r.status, 400, `${JSON.stringify(body)} -> ${r.text}`);
    t.regex(r.text, reason);
  }
  t.is((await call(agent, 'GET', '/v1/coordinate/update')).status, 405);
  t.deepEqual((await call(agent, 'GET', '/v1/coordinate/nodes')).json<Entry[]>(), before);
  t.is((await call(agent, 'GET', '/v1/status/leader')).status, 200, 'the agent is still up');
});

test.serial('fields bind case-insensitively and missing numbers count as zero, as Go decodes them', async (t) => {
  await register('co-case');
  const r = await call(agent, 'PUT', '/v1/coordinate/update', { node: 'co-case', coord: { vec: [0, 0, 0, 0, 0, 0, 0, 0.5], error: 1 } });
  t.is(r.status, 200, r.text);
  t.deepEqual((await call(agent, 'GET', '/v1/coordinate/node/co-case')).json<Entry[]>(), [
    { Node: 'co-case', Segment: '', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0.5], Error: 1, Adjustment: 0, Height: 0 } },
  ]);
});

test.serial('a blocking read of /v1/coordinate/nodes wakes on an update', async (t) => {
  await register('co-block');
  const first = await call(agent, 'GET', '/v1/coordinate/nodes');
  const index = Number(first.headers.get('x-consul-index'));
  const started = Date.now();
  const pending = call(agent, 'GET', `/v1/coordinate/nodes?index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 300));
  await update('co-block', coord(0.02));
  const woke = await pending;
  t.true(Date.now() - started < 10_000, 'answered long before the wait ran out');
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  t.true(woke.json<Entry[]>().some((e) => e.Node === 'co-block'));
});

test.serial('deregistering a node removes its coordinate', async (t) => {
  await register('co-gone');
  await update('co-gone', coord(0.03));
  t.is((await call(agent, 'GET', '/v1/coordinate/node/co-gone')).status, 200);
  t.is((await call(agent, 'PUT', '/v1/catalog/deregister', { Node: 'co-gone' })).text, 'true');
  t.is((await call(agent, 'GET', '/v1/coordinate/node/co-gone')).status, 404);
  t.false((await call(agent, 'GET', '/v1/coordinate/nodes')).json<Entry[]>().some((e) => e.Node === 'co-gone'));
});

test.serial('/v1/coordinate/datacenters lists the servers with their WAN coordinates, named <node>.<dc>', async (t) => {
  type DcMap = { Datacenter: string; AreaID: string; Coordinates: { Node: string; Coord: { Vec: number[]; Error: number } }[] };
  const dcs = (await call(agent, 'GET', '/v1/coordinate/datacenters')).json<DcMap[]>();
  t.deepEqual(
    dcs.map((d) => [d.Datacenter, d.AreaID, d.Coordinates.map((c) => c.Node)]),
    [['dc1', 'wan', [`${agent.node}.dc1`]]],
  );
  t.is(dcs[0]?.Coordinates[0]?.Coord.Vec.length, 8);
  // A LAN coordinate in the catalog is not what this lists.
  await update(agent.node, coord(0.005, 0.001));
  const after = (await call(agent, 'GET', '/v1/coordinate/datacenters')).json<DcMap[]>();
  t.notDeepEqual(after[0]?.Coordinates[0]?.Coord, coord(0.005, 0.001));
});
