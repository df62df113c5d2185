import test from 'ava';
import { parseCheckDefinition } from '../src/local/definitions.js';
import { reapCriticalServices } from '../src/local/critical-reaper.js';
import { LocalState } from '../src/local/local-state.js';
import { getJson, putOk, startTestAgent, waitFor } from './_local-helpers.js';

test('a service whose check stays critical past DeregisterCriticalServiceAfter is deregistered', async (t) => {
  const { base } = await startTestAgent(t, { timings: { checkReapIntervalMs: 50, deregisterCriticalMinMs: 0 } });
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'doomed',
    Check: { TTL: '30s', DeregisterCriticalServiceAfter: '300ms' },
  });
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'kept',
    Check: { TTL: '30s', Status: 'passing', DeregisterCriticalServiceAfter: '300ms' },
  });
  const gone = await waitFor(async () => {
    const services = await getJson<Record<string, unknown>>(base, '/v1/agent/services');
    return !('doomed' in services);
  }, 2000);
  t.true(gone);
  const catalog = await getJson<unknown[]>(base, '/v1/catalog/service/doomed');
  t.deepEqual(catalog, []);
  const services = await getJson<Record<string, unknown>>(base, '/v1/agent/services');
  t.true('kept' in services);
});

test('the reaper waits at least the one minute minimum by default', (t) => {
  let now = 1_000_000;
  const local = new LocalState({ nodeName: 'n', write: () => Promise.resolve(), onError: () => {}, now: () => now });
  t.teardown(() => local.close());
  const check = parseCheckDefinition({ Name: 'c', TTL: '1h', DeregisterCriticalServiceAfter: '10s' }, { serviceId: 's', serviceName: 's' });
  local.addService({ ID: 's', Service: 's', Tags: [], Meta: {}, Port: 0, Address: '', Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false }, [check]);
  now += 30_000;
  t.deepEqual(reapCriticalServices(local, { now: () => now }), []);
  now += 31_000;
  t.deepEqual(reapCriticalServices(local, { now: () => now }), ['s']);
  t.false(local.services.has('s'));
});
