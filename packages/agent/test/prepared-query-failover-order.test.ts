import test from 'ava';
import { type PreparedQuery, emptyPreparedQuery } from '@concord/state';
import { failoverDatacenters, runFailover } from '../src/query/failover.js';
import type { RemoteQueries } from '../src/query/remote-queries.js';

type Failover = PreparedQuery['Service']['Failover'];
const failover = (f: Partial<Failover>): Failover => ({ NearestN: 0, Datacenters: null, Targets: null, ...f });

test('NearestN takes the nearest other datacenters first, then the listed ones not yet chosen, unknown ones skipped', (t) => {
  const nearest = ['dc3', 'dc2', 'dc4'];
  t.deepEqual(failoverDatacenters(failover({}), nearest), []);
  t.deepEqual(failoverDatacenters(failover({ NearestN: 2 }), nearest), ['dc3', 'dc2']);
  t.deepEqual(failoverDatacenters(failover({ NearestN: 9 }), nearest), ['dc3', 'dc2', 'dc4']);
  t.deepEqual(failoverDatacenters(failover({ NearestN: 1, Datacenters: ['dc9', 'dc4', 'dc3', 'dc2'] }), nearest), ['dc3', 'dc4', 'dc2']);
  t.deepEqual(failoverDatacenters(failover({ Datacenters: ['dc2', 'dc2', 'dc3'] }), nearest), ['dc2', 'dc3']);
  t.deepEqual(
    failoverDatacenters(
      failover({
        Targets: [
          { Peer: '', Datacenter: 'dc4' },
          { Peer: '', Datacenter: 'dc8' },
        ],
      }),
      nearest,
    ),
    ['dc4'],
  );
});

function query(f: Partial<Failover>): PreparedQuery {
  const q = emptyPreparedQuery('q1');
  return { ...q, Name: 'web', Service: { ...q.Service, Service: 'web', Failover: failover(f) } };
}

test('failover stops at the first datacenter with instances, skips those that fail, and counts every one asked', async (t) => {
  const asked: string[] = [];
  const node = (dc: string) => ({ Node: { Node: `n-${dc}` } }) as never;
  const remote: RemoteQueries = {
    otherDatacentersByDistance: () => ['dc2', 'dc3', 'dc4', 'dc5'],
    async execute(dc, _q, limit) {
      asked.push(`${dc}:${limit}`);
      if (dc === 'dc2') throw new Error('No path to datacenter');
      return { Service: 'web', DNS: { TTL: '' }, Datacenter: dc, Nodes: dc === 'dc4' ? [node(dc)] : [] };
    },
  };
  const r = await runFailover(query({ Datacenters: ['dc2', 'dc3', 'dc4', 'dc5'] }), remote, 3, 'dc1');
  t.deepEqual(asked, ['dc2:3', 'dc3:3', 'dc4:3']);
  t.is(r.failovers, 3);
  t.is(r.datacenter, 'dc4');
  t.deepEqual(r.nodes, [node('dc4')]);

  // Nothing anywhere: the last datacenter that answered names the result.
  asked.length = 0;
  const none = await runFailover(query({ Datacenters: ['dc3', 'dc2'] }), remote, 0, 'dc1');
  t.deepEqual([none.failovers, none.datacenter, none.nodes], [2, 'dc3', []]);
  // Only failures: the local datacenter stays.
  const failing = await runFailover(query({ Datacenters: ['dc2'] }), remote, 0, 'dc1');
  t.deepEqual([failing.failovers, failing.datacenter, failing.nodes], [1, 'dc1', []]);
});
