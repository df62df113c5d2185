import test from 'ava';
import { type AutopilotConfig, StateStore } from '../src/index.js';
import { Harness, watchCount } from './_helpers.js';

const CONFIG: AutopilotConfig = {
  CleanupDeadServers: true,
  LastContactThreshold: '200ms',
  MaxTrailingLogs: 250,
  MinQuorum: 0,
  ServerStabilizationTime: '10s',
  RedundancyZoneTag: '',
  DisableUpgradeMigration: false,
  UpgradeVersionTag: '',
};

test('autopilot-set stores the settings with Create/ModifyIndex and wakes its watchers', (t) => {
  const h = new Harness();
  t.is(h.store.autopilotConfig().value, undefined);
  const first = h.store.autopilotConfig();
  const woke = watchCount(h.store, first.topics);
  t.true(h.apply({ type: 'autopilot-set', config: CONFIG, cas: 0 }).value as boolean);
  const at = h.index;
  t.deepEqual(h.store.autopilotConfig().value, { ...CONFIG, CreateIndex: at, ModifyIndex: at });
  t.is(woke.fired(), 1);
  t.true(h.apply({ type: 'autopilot-set', config: { ...CONFIG, MinQuorum: 3 } }).value as boolean);
  t.like(h.store.autopilotConfig().value, { MinQuorum: 3, CreateIndex: at, ModifyIndex: h.index });
});

test('autopilot-set with cas stores only over the named ModifyIndex (0: only when none is stored)', (t) => {
  const h = new Harness();
  t.true(h.apply({ type: 'autopilot-set', config: CONFIG, cas: 0 }).value as boolean);
  const stored = h.store.autopilotConfig().value?.ModifyIndex as number;
  t.false(h.apply({ type: 'autopilot-set', config: { ...CONFIG, MinQuorum: 5 }, cas: 0 }).value as boolean);
  t.false(h.apply({ type: 'autopilot-set', config: { ...CONFIG, MinQuorum: 5 }, cas: stored + 100 }).value as boolean);
  t.is(h.store.autopilotConfig().value?.MinQuorum, 0);
  t.true(h.apply({ type: 'autopilot-set', config: { ...CONFIG, MinQuorum: 5 }, cas: stored }).value as boolean);
  t.is(h.store.autopilotConfig().value?.MinQuorum, 5);
});

test('autopilot-set refuses malformed settings and keeps the stored ones', (t) => {
  const h = new Harness();
  h.apply({ type: 'autopilot-set', config: CONFIG });
  for (const bad of [{ LastContactThreshold: 'soon' }, { MaxTrailingLogs: -1 }, { MinQuorum: 1.5 }, { CleanupDeadServers: 'yes' }]) {
    const r = h.apply({ type: 'autopilot-set', config: { ...CONFIG, ...bad } as unknown as AutopilotConfig });
    t.is(r.error?.code, 'STATE_INVALID_REQUEST', JSON.stringify(bad));
  }
  t.like(h.store.autopilotConfig().value, CONFIG);
});

test('the settings travel in snapshots', (t) => {
  const h = new Harness();
  h.apply({ type: 'autopilot-set', config: { ...CONFIG, MinQuorum: 3 } });
  const fresh = new StateStore();
  fresh.restore(h.store.snapshot());
  t.deepEqual(fresh.autopilotConfig().value, h.store.autopilotConfig().value);
  t.deepEqual(fresh.snapshot(), h.store.snapshot());
});
