import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { call, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));

test('GET /v1/acl/replication: 401 without ACLs; in the primary, Consul’s zero status, no token needed, for any datacenter named', async (t) => {
  const plain = await startAgent(scope);
  const off = await call(plain, 'GET', '/v1/acl/replication');
  t.is(off.status, 401);
  t.is(off.text, 'ACL support disabled');

  const dir = tempDir(scope);
  const file = join(dir, 'acl.json');
  writeFileSync(file, JSON.stringify({ primary_datacenter: 'dc1', acl: { enabled: true, default_policy: 'deny' } }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', file] });
  const r = await call(agent, 'GET', '/v1/acl/replication');
  t.is(r.status, 200, r.text);
  t.deepEqual(JSON.parse(r.text), {
    Enabled: false,
    Running: false,
    SourceDatacenter: '',
    ReplicationType: '',
    ReplicatedIndex: 0,
    ReplicatedRoleIndex: 0,
    ReplicatedTokenIndex: 0,
    LastSuccess: '0001-01-01T00:00:00Z',
    LastError: '0001-01-01T00:00:00Z',
    LastErrorMessage: '',
  });
  const unknown = await call(agent, 'GET', '/v1/acl/replication?dc=dc9');
  t.is(unknown.status, 500);
  t.is(unknown.text, 'No path to datacenter');
  t.is((await call(agent, 'POST', '/v1/acl/replication')).status, 405);
});
