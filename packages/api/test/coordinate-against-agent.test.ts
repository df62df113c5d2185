import { ApiError } from '../src/index.js';
import { testWithAgent, uniqueName } from './_agent.js';

const test = testWithAgent();

const coord = { Vec: [0.001, 0, 0, 0, 0, 0, 0, 0], Error: 0.3, Adjustment: 0, Height: 1e-5 };

test('update, then read a coordinate back through nodes and node; a node without one reads as []', async (t) => {
  const { api } = t.context;
  const node = uniqueName('coord');
  const bare = uniqueName('bare');
  await api.catalog.register({ Node: node, Address: '10.3.0.1' });
  await api.catalog.register({ Node: bare, Address: '10.3.0.2' });
  await api.coordinate.update({ Node: node, Segment: '', Coord: coord });
  const all = await api.coordinate.nodes();
  t.true(all.meta.index > 0);
  t.deepEqual(
    all.value.find((e) => e.Node === node),
    { Node: node, Segment: '', Coord: coord },
  );
  t.deepEqual((await api.coordinate.node(node)).value, [{ Node: node, Segment: '', Coord: coord }]);
  t.deepEqual((await api.coordinate.node(bare)).value, []);
  const dcs = await api.coordinate.datacenters();
  t.is(dcs[0]?.Datacenter, 'dc1');
  t.is(dcs[0]?.AreaID, 'wan');
});

test("a refused update throws ApiError with the agent's reason", async (t) => {
  const { api } = t.context;
  const err = await t.throwsAsync(api.coordinate.update({ Node: uniqueName('ghost'), Segment: '', Coord: coord }), { instanceOf: ApiError });
  t.is(err?.status, 400);
  t.regex(err?.body ?? '', /^Unknown node "ghost/);
});
