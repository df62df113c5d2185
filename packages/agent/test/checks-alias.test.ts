import test from 'ava';
import { aliasStatus } from '../src/checks/alias-check.js';
import { putOk, startTestAgent, waitForStatus } from './_local-helpers.js';

test('an alias check mirrors the health of the aliased service', async (t) => {
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', { Name: 'db', Check: { TTL: '30s' } });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'web', Check: { AliasService: 'db' } });
  // The service reaches the catalog with its check's first (empty) output; the alias's verdict follows.
  let c = await waitForStatus(base, 'web', 'service:web', 'critical', 2000, /^Aliased/);
  t.regex(c?.Output ?? '', /^Aliased check "Service 'db' check" failing: /);
  await putOk(t, base, '/v1/agent/check/pass/service:db?note=ok');
  c = await waitForStatus(base, 'web', 'service:web', 'passing', 1000);
  t.is(c?.Output, 'All checks passing.');
  await putOk(t, base, '/v1/agent/check/warn/service:db?note=slow');
  c = await waitForStatus(base, 'web', 'service:web', 'warning', 1000);
  t.is(c?.Output, `Aliased check "Service 'db' check" failing: slow`);
  await putOk(t, base, '/v1/agent/service/deregister/db');
  c = await waitForStatus(base, 'web', 'service:web', 'critical', 1000);
  t.regex(c?.Output ?? '', /^Service db could not be found on node /);
});

test('an alias of a service that does not exist is critical', async (t) => {
  const { base, node } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', { Name: 'front', Check: { AliasService: 'nothing', Status: 'passing' } });
  const c = await waitForStatus(base, 'front', 'service:front', 'critical', 1000);
  t.is(c?.Output, `Service nothing could not be found on node ${node}`);
});

test('an alias counts node checks and ignores other services and itself', (t) => {
  const base = {
    Node: 'n',
    Name: 'c',
    Notes: '',
    ServiceName: '',
    ServiceTags: [],
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
    CreateIndex: 1,
    ModifyIndex: 1,
  };
  const spec = { node: 'n', serviceId: 'db', selfCheckId: 'self' };
  const checks = [
    { ...base, CheckID: 'db-ok', ServiceID: 'db', Status: 'passing' as const, Output: '' },
    { ...base, CheckID: 'other', ServiceID: 'web', Status: 'critical' as const, Output: 'x' },
    { ...base, CheckID: 'self', ServiceID: '', Status: 'critical' as const, Output: 'me' },
  ];
  t.deepEqual(aliasStatus(spec, checks, true), { status: 'passing', output: 'All checks passing.' });
  const nodeDown = [...checks, { ...base, CheckID: 'node', ServiceID: '', Status: 'critical' as const, Output: 'down' }];
  t.deepEqual(aliasStatus(spec, nodeDown, true), { status: 'critical', output: 'Aliased check "c" failing: down' });
});
