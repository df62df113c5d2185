import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { call, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));

test('X-Consul-Default-ACL-Policy reports the enforced policy (allow: no ACLs are checked) on every kind of response', async (t) => {
  const agent = await startAgent(scope);
  await call(agent, 'PUT', '/v1/kv/acl/k', 'v');
  const replies = [
    await call(agent, 'GET', '/v1/kv/acl/k'), // the KV fast path
    await call(agent, 'GET', '/v1/kv/acl/k?raw'), // the routed KV path
    await call(agent, 'GET', '/v1/kv/acl/missing'), // 404, fast path
    await call(agent, 'GET', '/v1/catalog/nodes'),
    await call(agent, 'GET', '/v1/agent/self'),
    await call(agent, 'GET', '/v1/no/such/endpoint'), // 404 from the router
    await call(agent, 'POST', '/v1/status/leader'), // 405
    await call(agent, 'GET', '/v1/kv/acl/k?index=x'), // 400
  ];
  for (const r of replies) t.is(r.headers.get('x-consul-default-acl-policy'), 'allow', `${r.status} ${r.text.slice(0, 40)}`);
});

test('an endpoint blocked by http_config.block_endpoints still reports the policy', async (t) => {
  const dir = tempDir(scope);
  const file = join(dir, 'block.json');
  writeFileSync(file, JSON.stringify({ http_config: { block_endpoints: ['/v1/catalog'] } }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', file] });
  const r = await call(agent, 'GET', '/v1/catalog/nodes');
  t.is(r.status, 403);
  t.is(r.text, 'Endpoint is blocked by agent configuration');
  t.is(r.headers.get('x-consul-default-acl-policy'), 'allow');
});
