import test from 'ava';

import type { DnsCatalog } from '../src/dns/catalog.js';
import { buildQuery, decode, startFixture, udpExchange } from './_dns-helpers.js';

const coord = { Vec: [0.1, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 };

test('KV and coordinate writes keep the built DNS answers; a catalog write has them built again', async (t) => {
  let builds = 0;
  const f = await startFixture(t, {
    wrapCatalog: (c: DnsCatalog): DnsCatalog =>
      Object.create(c, {
        serviceInstances: {
          value: (service: string, tag?: string) => {
            builds++;
            return c.serviceInstances(service, tag);
          },
        },
      }) as DnsCatalog,
  });
  f.register({ Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web', Service: 'web', Port: 80 } });
  const ask = async (id: number) => decode((await udpExchange(f.port, buildQuery('web.service.consul', 'A', { id })))!).answers.map((a) => a.address);
  t.deepEqual(await ask(1), ['10.0.0.1']);
  t.is(builds, 1);
  const apply = (command: Parameters<typeof f.state.apply>[1]) => {
    const r = f.state.apply(f.state.lastIndex + 1, command);
    if (r.error) throw r.error;
  };
  apply({ type: 'kv', op: { Verb: 'set', Key: 'app/x', Value: 'eA==' } });
  apply({ type: 'coordinate-batch-update', updates: [{ Node: 'n1', Segment: '', Coord: coord }] });
  t.deepEqual(await ask(2), ['10.0.0.1']);
  t.is(builds, 1, 'the answer built before the KV and coordinate writes is still current');
  // a check on the node is a catalog write: the answer is built again, and follows it
  apply({ type: 'register', reg: { Node: 'n1', Address: '10.0.0.1', Check: { CheckID: 'disk', Name: 'disk', Status: 'critical' } } });
  const afterCheck = decode((await udpExchange(f.port, buildQuery('web.service.consul', 'A', { id: 3 })))!);
  t.is(builds, 2);
  t.deepEqual(afterCheck.answers, [], 'the instance on a critical node is left out');
  apply({ type: 'register', reg: { Node: 'n1', Address: '10.0.0.2', Check: { CheckID: 'disk', Name: 'disk', Status: 'passing' } } });
  t.deepEqual(await ask(4), ['10.0.0.2']);
});
