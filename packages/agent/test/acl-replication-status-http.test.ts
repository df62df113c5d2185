import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { ZERO_REPLICATION_STATUS } from './_acl-fixtures.js';
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
  t.deepEqual(JSON.parse(r.text), ZERO_REPLICATION_STATUS);
  const unknown = await call(agent, 'GET', '/v1/acl/replication?dc=dc9');
  t.is(unknown.status, 500);
  t.is(unknown.text, 'No path to datacenter');
  t.is((await call(agent, 'POST', '/v1/acl/replication')).status, 405);
});
