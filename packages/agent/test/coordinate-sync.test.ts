import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import type { Command } from '@concord/state';
import { ConfigError, resolveAgentConfig } from '../src/index.js';
import { CoordinateSync, coordinateSyncDelayMs, rateScaledIntervalMs } from '../src/local/coordinate-sync.js';
import { http, startMember, startServers } from './_cluster-inprocess.js';
import { tempDir, waitFor } from './_local-helpers.js';

interface Entry {
  Node: string;
  Segment: string;
  Coord: { Vec: number[]; Error: number; Adjustment: number; Height: number };
}

test('the sync period scales with cluster size above the minimum, plus a stagger of up to one period', (t) => {
  t.is(rateScaledIntervalMs(64, 15_000, 3), 15_000);
  t.is(rateScaledIntervalMs(64, 15_000, 6400), 100_000);
  t.is(
    coordinateSyncDelayMs(64, 15_000, 3, () => 0),
    15_000,
  );
  t.is(
    coordinateSyncDelayMs(64, 15_000, 3, () => 0.5),
    22_500,
  );
  t.is(
    coordinateSyncDelayMs(1, 1000, 10, () => 0.999),
    19_990,
  );
});

test('a sync round sends the coordinate only while the node is registered', async (t) => {
  const sent: Command[] = [];
  let registered = false;
  const sync = new CoordinateSync({
    node: 'me',
    intervalMinMs: 1000,
    rateTarget: 64,
    coordinate: () => ({ Vec: [0, 0, 0, 0, 0, 0, 0, 0.001], Error: 0.7, Adjustment: 0, Height: 1e-5 }),
    memberCount: () => 1,
    isRegistered: () => registered,
    write: async (c) => sent.push(c),
  });
  t.false(await sync.syncOnce());
  t.is(sent.length, 0);
  registered = true;
  t.true(await sync.syncOnce());
  t.deepEqual(sent, [
    {
      type: 'coordinate-batch-update',
      updates: [{ Node: 'me', Segment: '', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0.001], Error: 0.7, Adjustment: 0, Height: 1e-5 } }],
    },
  ]);
});

test('sync_coordinate_* are read from the config file and checked', (t) => {
  const dir = tempDir(t);
  const file = (name: string, body: object) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(body));
    return path;
  };
  const defaults = resolveAgentConfig(['-dev']);
  t.is(defaults.syncCoordinateIntervalMinMs, 15_000);
  t.is(defaults.syncCoordinateRateTarget, 64);
  const set = resolveAgentConfig(['-dev', '-config-file', file('a.json', { sync_coordinate_interval_min: '1s', sync_coordinate_rate_target: 0.5 })]);
  t.is(set.syncCoordinateIntervalMinMs, 1000);
  t.is(set.syncCoordinateRateTarget, 0.5);
  t.throws(() => resolveAgentConfig(['-dev', '-config-file', file('b.json', { sync_coordinate_rate_target: 0 })]), {
    instanceOf: ConfigError,
    message: 'sync_coordinate_rate_target must be a positive number',
  });
  t.throws(() => resolveAgentConfig(['-dev', '-config-file', file('c.json', { sync_coordinate_interval_min: 'soon' })]), {
    instanceOf: ConfigError,
    message: /sync_coordinate_interval_min: invalid duration/,
  });
});

test('a server and a client measure each other over gossip and both coordinates reach the catalog', async (t) => {
  const config = { sync_coordinate_interval_min: '1s' };
  const [server] = await startServers(t, 1, config);
  if (!server) return t.fail('no server');
  const client = await startMember(t, { join: server, config });
  const names = [server.name, client.name];
  const entries = await waitFor(
    async () => {
      const r = await http(client.base, '/v1/coordinate/nodes');
      const list = JSON.parse(r.text) as Entry[];
      // Error below the initial 1.5 means the coordinate moved with measured RTTs.
      const moved = names.every((n) => list.some((e) => e.Node === n && e.Coord.Error < 1.5));
      return moved ? list : undefined;
    },
    30_000,
    200,
  );
  if (!entries) return t.fail('coordinates did not reach the catalog within 30 s');
  for (const e of entries) {
    t.is(e.Segment, '');
    t.is(e.Coord.Vec.length, 8);
    t.true(e.Coord.Vec.every(Number.isFinite));
  }
  const self = JSON.parse((await http(client.base, '/v1/agent/self')).text) as { Coord: Entry['Coord'] };
  t.is(self.Coord.Vec.length, 8);
  t.true(self.Coord.Error < 1.5, '/v1/agent/self reports the measured coordinate');
  const one = await http(server.base, `/v1/coordinate/node/${client.name}`);
  t.is(one.status, 200);
  t.is((JSON.parse(one.text) as Entry[])[0]?.Node, client.name);
});
