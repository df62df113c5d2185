import test from 'ava';
import type { ConsulApi } from '@concord/api';
import { Watcher, datacentersDependency } from '../src/index.js';

/** An API whose datacenter list is whatever the test says, and whose `dc3` catalog fails. */
function fakeApi(list: { dcs: string[] }, asked: string[]): ConsulApi {
  return {
    catalog: {
      datacenters: async () => {
        asked.push('datacenters');
        return [...list.dcs];
      },
      services: async (o: { dc?: string; consistent?: boolean }) => {
        asked.push(`services@${o.dc}${o.consistent ? '?consistent' : ''}`);
        if (o.dc === 'dc3') throw new Error('Unexpected response code: 500 (No path to datacenter)');
        return { value: {}, meta: { index: 1 } };
      },
    },
  } as unknown as ConsulApi;
}

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

test('datacenters cannot block, so the list is read again after each poll interval and a change is reported', async (t) => {
  const list = { dcs: ['dc2', 'dc1'] };
  const asked: string[] = [];
  const changes: string[] = [];
  const w = new Watcher({
    api: fakeApi(list, asked),
    retry: { attempts: 0, backoffMs: 10, maxBackoffMs: 10 },
    onChange: (key) => changes.push(key),
    onError: () => {},
  });
  t.teardown(() => w.stop());
  const dep = datacentersDependency(false, 50);
  w.watch(dep);
  t.true(await until(() => changes.length === 1, 5000));
  t.deepEqual(w.lookup(dep).value, ['dc1', 'dc2'], 'sorted by name');
  list.dcs = ['dc3', 'dc1', 'dc2'];
  t.true(await until(() => changes.length === 2, 5000), 'a new datacenter is noticed on the next poll');
  t.deepEqual(w.lookup(dep).value, ['dc1', 'dc2', 'dc3']);
  const polls = asked.filter((a) => a === 'datacenters').length;
  await new Promise((r) => setTimeout(r, 300));
  t.true(asked.filter((a) => a === 'datacenters').length > polls, 'polling goes on');
  t.is(changes.length, 2, 'an unchanged list is not reported as a change');
});

test('datacenters true leaves out the datacenters whose catalog does not answer a consistent read', async (t) => {
  const asked: string[] = [];
  let changed = 0;
  const w = new Watcher({
    api: fakeApi({ dcs: ['dc1', 'dc3', 'dc2'] }, asked),
    retry: { attempts: 0, backoffMs: 10, maxBackoffMs: 10 },
    onChange: () => changed++,
    onError: () => {},
  });
  t.teardown(() => w.stop());
  const dep = datacentersDependency(true, 60_000);
  t.is(dep.key, 'catalog.datacenters(ignore-failing)');
  w.watch(dep);
  t.true(await until(() => changed === 1, 5000));
  t.deepEqual(w.lookup(dep).value, ['dc1', 'dc2']);
  t.true(asked.includes('services@dc3?consistent'));
});
