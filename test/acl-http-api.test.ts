/**
 * Consul's ACL HTTP API on a single server with default deny: bootstrap (once, then 403 with the
 * reset index, and again after the reset file names it), policies, tokens, roles, the agent's
 * tokens, and the token carried three ways.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type AgentProcess, eventually, startAgent, tempDir } from '@concord/testkit';

const ACL = JSON.stringify({ acl: { enabled: true, default_policy: 'deny', enable_token_persistence: true } });

async function aclAgent(t: Parameters<typeof startAgent>[0], durable = false): Promise<AgentProcess> {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), ACL);
  return startAgent(t, { durable, extraArgs: ['-config-file', join(dir, 'acl.json')] });
}

async function req(a: AgentProcess, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; text: string; json: any; headers: Headers }> {
  const r = await fetch(`${a.base}${path}`, {
    method,
    headers: token ? { 'X-Consul-Token': token } : {},
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, headers: r.headers };
}

async function bootstrap(a: AgentProcess): Promise<{ SecretID: string; AccessorID: string }> {
  return eventually(
    async () => {
      const r = await req(a, 'PUT', '/v1/acl/bootstrap');
      return r.status === 200 ? r.json : undefined;
    },
    30_000,
    'the ACL bootstrap',
    200,
  );
}

test('bootstrap once; the second answers 403 with the reset index; the reset file allows one more', async (t) => {
  const a = await aclAgent(t, true);
  const root = await bootstrap(a);
  t.regex(root.SecretID, /^[0-9a-f-]{36}$/);
  t.is((root as { ID?: string }).ID, root.SecretID, 'the legacy ID field is the secret, as in Consul');
  const self = await req(a, 'GET', '/v1/acl/token/self', root.SecretID);
  t.is(self.status, 200);
  t.deepEqual(self.json.Policies, [{ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' }]);
  t.is(self.json.Description, 'Bootstrap Token (Global Management)');
  const again = await req(a, 'PUT', '/v1/acl/bootstrap');
  t.is(again.status, 403);
  const m = /^Permission denied: ACL bootstrap no longer allowed \(reset index: (\d+)\)$/.exec(again.text);
  t.truthy(m, again.text);
  writeFileSync(join(a.dataDir as string, 'acl-bootstrap-reset'), `${m?.[1]}\n`);
  const reset = await req(a, 'PUT', '/v1/acl/bootstrap');
  t.is(reset.status, 200, reset.text);
  t.not(reset.json.SecretID, root.SecretID);
  t.is((await req(a, 'PUT', '/v1/acl/bootstrap')).status, 403, 'the reset file is used once');
});

test('policies, tokens and roles: create, read (by name too), update, clone, list with filters, delete', async (t) => {
  const a = await aclAgent(t);
  const root = (await bootstrap(a)).SecretID;
  const bad = await req(a, 'PUT', '/v1/acl/policy', root, { Name: 'bad', Rules: 'key "a" { policy = "admin" }' });
  t.is(bad.status, 400);
  t.regex(bad.text, /Invalid key policy/);
  const pol = await req(a, 'PUT', '/v1/acl/policy', root, { Name: 'app-kv', Description: 'app keys', Rules: 'key_prefix "app/" { policy = "write" }' });
  t.is(pol.status, 200, pol.text);
  t.deepEqual(Object.keys(pol.json).sort(), ['CreateIndex', 'Description', 'Hash', 'ID', 'ModifyIndex', 'Name', 'Rules']);
  t.is((await req(a, 'GET', '/v1/acl/policies', root)).json.find((p: any) => p.Name === 'app-kv').Datacenters, null, 'list stubs carry a null Datacenters');
  t.is((await req(a, 'GET', '/v1/acl/policy/name/app-kv', root)).json.ID, pol.json.ID);
  const list = await req(a, 'GET', '/v1/acl/policies', root);
  t.deepEqual(list.json.map((p: any) => p.Name).sort(), ['app-kv', 'global-management']);
  t.false('Rules' in list.json[0]);
  t.truthy(list.headers.get('x-consul-index'));
  const role = await req(a, 'PUT', '/v1/acl/role', root, { Name: 'app', Policies: [{ Name: 'app-kv' }] });
  t.is(role.status, 200, role.text);
  t.deepEqual(role.json.Policies, [{ ID: pol.json.ID, Name: 'app-kv' }]);
  t.is((await req(a, 'GET', '/v1/acl/role/name/app', root)).json.ID, role.json.ID);
  const tok = await req(a, 'PUT', '/v1/acl/token', root, { Description: 'app token', Policies: [{ Name: 'app-kv' }] });
  t.is(tok.status, 200, tok.text);
  const viaRole = await req(a, 'PUT', '/v1/acl/token', root, { Description: 'role token', Roles: [{ Name: 'app' }] });
  t.is((await req(a, 'GET', `/v1/acl/tokens?policy=${pol.json.ID}`, root)).json.length, 1);
  t.is((await req(a, 'GET', `/v1/acl/tokens?role=${role.json.ID}`, root)).json[0].AccessorID, viaRole.json.AccessorID);
  const upd = await req(a, 'PUT', `/v1/acl/token/${tok.json.AccessorID}`, root, { Description: 'renamed', Policies: [{ ID: pol.json.ID }] });
  t.is(upd.json.SecretID, tok.json.SecretID);
  t.is(upd.json.CreateIndex, tok.json.CreateIndex);
  t.true(upd.json.ModifyIndex > tok.json.ModifyIndex);
  const clone = await req(a, 'PUT', `/v1/acl/token/${tok.json.AccessorID}/clone`, root, { Description: 'copy' });
  t.not(clone.json.SecretID, tok.json.SecretID);
  t.deepEqual(clone.json.Policies, upd.json.Policies);
  t.is((await req(a, 'PUT', '/v1/kv/app/x', viaRole.json.SecretID, 'v')).status, 200, 'a role grants its policies');
  t.is((await req(a, 'DELETE', `/v1/acl/token/${clone.json.AccessorID}`, root)).text, 'true');
  const gone = await req(a, 'DELETE', `/v1/acl/token/${clone.json.AccessorID}`, root);
  t.deepEqual([gone.status, gone.text], [404, 'Cannot find token to delete']);
  const missing = await req(a, 'GET', `/v1/acl/token/${clone.json.AccessorID}`, root);
  t.deepEqual([missing.status, missing.text], [404, 'Requested token does not exist: ACL not found']);
  const self = await req(a, 'GET', '/v1/acl/token/self', clone.json.SecretID);
  t.deepEqual([self.status, self.text], [404, 'Supplied token does not exist']);
  t.is((await req(a, 'GET', '/v1/acl/policy/name/nope', root)).text, 'Requested policy does not exist: ACL not found');
  t.is((await req(a, 'PUT', '/v1/acl/policy', root, { ID: pol.json.ID, Name: 'x' })).text, 'Cannot specify the ID when creating a new policy');
  t.false('Roles' in tok.json, 'empty link lists are left out, as Consul omits them');
  t.is((await req(a, 'GET', '/v1/acl/policies', tok.json.SecretID)).status, 403, 'ACL reads need acl = "read"');
  t.is((await req(a, 'DELETE', '/v1/acl/policy/00000000-0000-0000-0000-000000000001', root)).status, 400);
  // Expiry and secrets: a TTL sets ExpirationTime; a token with acl = "read" sees secrets hidden.
  const ttl = await req(a, 'PUT', '/v1/acl/token', root, { ExpirationTTL: '10m' });
  const expires = Date.parse(ttl.json.ExpirationTime) - Date.parse(ttl.json.CreateTime);
  t.true(expires > 590_000 && expires < 610_000, ttl.text);
  t.regex((await req(a, 'PUT', '/v1/acl/token', root, { ExpirationTTL: '10s' })).text, /between 1m0s and 24h0m0s/);
  await req(a, 'PUT', '/v1/acl/policy', root, { Name: 'acl-read', Rules: 'acl = "read"' });
  const reader = (await req(a, 'PUT', '/v1/acl/token', root, { Policies: [{ Name: 'acl-read' }] })).json.SecretID as string;
  const listed = await req(a, 'GET', '/v1/acl/tokens', reader);
  t.is(listed.status, 200);
  t.true(
    listed.json.every((x: any) => x.SecretID === '<hidden>'),
    'secrets hidden without acl write',
  );
  t.false(listed.text.includes(root));
  t.is((await req(a, 'GET', '/v1/acl/token/self', reader)).json.SecretID, reader, 'a token reads its own secret');
});

test('KV through tokens: anonymous, a prefix-scoped token and management; three ways to pass a token; lists filtered', async (t) => {
  const a = await aclAgent(t);
  const root = (await bootstrap(a)).SecretID;
  await req(a, 'PUT', '/v1/acl/policy', root, { Name: 'app', Rules: 'key_prefix "app/" { policy = "write" }\nkey "app/secret" { policy = "deny" }' });
  const app = (await req(a, 'PUT', '/v1/acl/token', root, { Policies: [{ Name: 'app' }] })).json.SecretID as string;
  for (const k of ['app/a', 'app/secret', 'other/b']) t.is((await req(a, 'PUT', `/v1/kv/${k}`, root, 'v')).status, 200);
  t.is((await req(a, 'GET', '/v1/kv/app/a')).status, 403, 'anonymous under default deny');
  t.is((await req(a, 'GET', '/v1/kv/app/a', app)).status, 200);
  t.is((await req(a, 'GET', '/v1/kv/app/secret', app)).status, 403, 'exact deny beats the prefix');
  t.is((await req(a, 'PUT', '/v1/kv/other/b', app, 'w')).status, 403);
  t.is((await req(a, 'DELETE', '/v1/kv/app?recurse', app)).status, 403, 'recursive delete needs write on everything beneath');
  const rec = await req(a, 'GET', '/v1/kv/?recurse', app);
  t.deepEqual(
    rec.json.map((e: any) => e.Key),
    ['app/a'],
  );
  t.is(rec.headers.get('x-consul-results-filtered-by-acls'), 'true');
  const all = await req(a, 'GET', '/v1/kv/?keys', root);
  t.deepEqual(all.json, ['app/a', 'app/secret', 'other/b']);
  t.is(all.headers.get('x-consul-results-filtered-by-acls'), null);
  t.is((await fetch(`${a.base}/v1/kv/app/a?token=${app}`)).status, 200);
  t.is((await fetch(`${a.base}/v1/kv/app/a`, { headers: { Authorization: `Bearer ${app}` } })).status, 200);
  t.is((await req(a, 'GET', '/v1/snapshot', app)).status, 403, 'snapshots need management');
  t.is((await req(a, 'GET', '/v1/agent/self', app)).status, 403);
  const self = await req(a, 'GET', '/v1/agent/self', root);
  t.is(self.status, 200);
  t.false(self.text.includes(root), 'no secret in /v1/agent/self');
});

test('the agent default token serves tokenless requests and persists across a restart', async (t) => {
  const a = await aclAgent(t, true);
  const root = (await bootstrap(a)).SecretID;
  await req(a, 'PUT', '/v1/acl/policy', root, { Name: 'pub', Rules: 'key_prefix "pub/" { policy = "read" }' });
  const pub = (await req(a, 'PUT', '/v1/acl/token', root, { Policies: [{ Name: 'pub' }] })).json.SecretID as string;
  await req(a, 'PUT', '/v1/kv/pub/x', root, 'v');
  t.is((await req(a, 'GET', '/v1/kv/pub/x')).status, 403);
  t.is((await req(a, 'PUT', '/v1/agent/token/default', pub, { Token: pub })).status, 403, 'setting agent tokens needs acl write');
  t.is((await req(a, 'PUT', '/v1/agent/token/nonsense', root, { Token: pub })).status, 404);
  t.is((await req(a, 'PUT', '/v1/agent/token/default', root, { Token: pub })).status, 200);
  t.is((await req(a, 'GET', '/v1/kv/pub/x')).status, 200);
  await a.stop();
  const b = await startAgent(t, {
    durable: true,
    dataDir: a.dataDir as string,
    extraArgs: a.child.spawnargs.slice(a.child.spawnargs.indexOf('-config-file'), a.child.spawnargs.indexOf('-config-file') + 2),
  });
  await eventually(async () => (await req(b, 'GET', '/v1/kv/pub/x')).status === 200, 30_000, 'the persisted default token to serve a read', 200);
  t.is((await req(b, 'GET', '/v1/acl/token/self', root)).status, 200, 'tokens survive a restart');
});

test('secrets stay out of logs, /v1/agent/self and error messages', async (t) => {
  const dir = tempDir(t);
  const recovery = 'b7c1d2e3-0f4a-4b5c-8d6e-7f8091a2b3c4';
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { agent_recovery: recovery } } }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'acl.json'), '-log-level', 'debug'] });
  const root = (await bootstrap(a)).SecretID;
  const secretUrl = await fetch(`${a.base}/v1/kv/x?token=${root}`);
  t.is(secretUrl.status, 404);
  const wrong = await fetch(`${a.base}/v1/kv/x?token=${'f'.repeat(36)}`);
  t.is(await wrong.text(), 'ACL not found');
  const self = await (await fetch(`${a.base}/v1/agent/self`, { headers: { 'X-Consul-Token': root } })).text();
  await new Promise((r) => setTimeout(r, 500));
  for (const secret of [root, recovery, 'f'.repeat(36)]) {
    t.false(a.output().includes(secret), 'not in the log');
    t.false(self.includes(secret), 'not in /v1/agent/self');
  }
  t.regex(a.output(), /token=<hidden>/, 'the request was logged, redacted');
});

test('with enable_key_list_policy, listing a prefix needs list on it; read alone does not do', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', enable_key_list_policy: true, tokens: { initial_management: 'kl-root' } } }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
  await eventually(async () => (await req(a, 'PUT', '/v1/kv/r/x', 'kl-root', 'v')).status === 200, 30_000, 'a management write', 200);
  await req(a, 'PUT', '/v1/kv/l/x', 'kl-root', 'v');
  await req(a, 'PUT', '/v1/acl/policy', 'kl-root', { Name: 'kl', Rules: 'key_prefix "r/" { policy = "read" }\nkey_prefix "l/" { policy = "list" }' });
  const tok = (await req(a, 'PUT', '/v1/acl/token', 'kl-root', { Policies: [{ Name: 'kl' }] })).json.SecretID as string;
  t.is((await req(a, 'GET', '/v1/kv/r/x', tok)).status, 200);
  t.is((await req(a, 'GET', '/v1/kv/r/?keys', tok)).status, 403);
  t.is((await req(a, 'GET', '/v1/kv/r/?recurse', tok)).status, 403);
  t.deepEqual((await req(a, 'GET', '/v1/kv/l/?keys', tok)).json, ['l/x']);
});
