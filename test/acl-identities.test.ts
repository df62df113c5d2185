/**
 * Service and node identities on tokens and roles, and datacenter-scoped policies, on a server with
 * default deny: what each grants through the HTTP API, where it applies, Consul's validation
 * messages, the token list's `servicename` filter, and the CLI's `-service-identity` and
 * `-node-identity` flags.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type AgentProcess, eventually, runCli, startAgent, tempDir } from '@concord/testkit';

async function aclAgent(t: Parameters<typeof startAgent>[0]): Promise<AgentProcess> {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ datacenter: 'dc1', acl: { enabled: true, default_policy: 'deny' } }));
  return startAgent(t, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
}

async function req(a: AgentProcess, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const r = await fetch(`${a.base}${path}`, {
    method,
    headers: token ? { 'X-Consul-Token': token } : {},
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json };
}

async function bootstrap(a: AgentProcess): Promise<string> {
  const r = await eventually(
    async () => {
      const b = await req(a, 'PUT', '/v1/acl/bootstrap');
      return b.status === 200 ? b.json : undefined;
    },
    30_000,
    'the ACL bootstrap',
    200,
  );
  return r.SecretID as string;
}

async function token(a: AgentProcess, root: string, body: unknown): Promise<string> {
  const r = await req(a, 'PUT', '/v1/acl/token', root, body);
  if (r.status !== 200) throw new Error(`token create: ${r.status} ${r.text}`);
  return r.json.SecretID as string;
}

const register = (a: AgentProcess, tok: string, name: string) => req(a, 'PUT', '/v1/agent/service/register', tok, { Name: name, ID: `${name}-1`, Port: 80 });

test('a service identity grants write on its service and its sidecar proxy and read on the catalog, only in its datacenters', async (t) => {
  const a = await aclAgent(t);
  const root = await bootstrap(a);
  const web = await token(a, root, { ServiceIdentities: [{ ServiceName: 'web' }] });
  t.is((await register(a, web, 'web')).status, 200);
  t.is((await register(a, web, 'web-sidecar-proxy')).status, 200);
  const db = await register(a, web, 'db');
  t.is(db.status, 403);
  t.regex(db.text, /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'service:write' on "db"$/);
  t.is((await register(a, root, 'db')).status, 200);
  await eventually(async () => Object.keys((await req(a, 'GET', '/v1/catalog/services', root)).json).includes('db'), 5000, 'db in the catalog');
  const services = await req(a, 'GET', '/v1/catalog/services', web);
  t.is(services.status, 200);
  t.true('db' in services.json, 'service_prefix "" read lets it see every service');
  t.is((await req(a, 'GET', '/v1/kv/any', web)).status, 403, 'and nothing else');

  const elsewhere = await token(a, root, { ServiceIdentities: [{ ServiceName: 'api', Datacenters: ['dc9'] }] });
  t.is((await register(a, elsewhere, 'api')).status, 403, 'an identity for another datacenter grants nothing here');
  const here = await token(a, root, { ServiceIdentities: [{ ServiceName: 'api', Datacenters: ['dc9', 'dc1'] }] });
  t.is((await register(a, here, 'api')).status, 200);

  const read = await req(a, 'GET', `/v1/acl/token/${(await req(a, 'GET', '/v1/acl/token/self', here)).json.AccessorID}`, root);
  t.deepEqual(read.json.ServiceIdentities, [{ ServiceName: 'api', Datacenters: ['dc9', 'dc1'] }]);
  t.false('NodeIdentities' in read.json, 'empty identity lists are left out, as Consul does');

  const listed = await req(a, 'GET', '/v1/acl/tokens?servicename=web', root);
  t.is(listed.status, 200);
  t.deepEqual(
    listed.json.map((x: any) => x.ServiceIdentities),
    [[{ ServiceName: 'web' }]],
  );
});

test('a node identity grants write on its node in its datacenter; a role carries identities to its tokens', async (t) => {
  const a = await aclAgent(t);
  const root = await bootstrap(a);
  const n1 = await token(a, root, { NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc1' }] });
  const regNode = (tok: string, node: string) => req(a, 'PUT', '/v1/catalog/register', tok, { Node: node, Address: '10.0.0.1' });
  t.is((await regNode(n1, 'n1')).status, 200);
  t.is((await regNode(n1, 'n2')).status, 403);
  const other = await token(a, root, { NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc2' }] });
  t.is((await regNode(other, 'n1')).status, 403, 'a node identity applies only in its datacenter');

  const role = await req(a, 'PUT', '/v1/acl/role', root, {
    Name: 'web-role',
    ServiceIdentities: [{ ServiceName: 'web' }],
    NodeIdentities: [{ NodeName: 'n3', Datacenter: 'dc1' }],
  });
  t.is(role.status, 200, role.text);
  t.deepEqual(role.json.ServiceIdentities, [{ ServiceName: 'web' }]);
  const viaRole = await token(a, root, { Roles: [{ Name: 'web-role' }] });
  t.is((await register(a, viaRole, 'web')).status, 200);
  t.is((await register(a, viaRole, 'db')).status, 403);
  t.is((await regNode(viaRole, 'n3')).status, 200);
});

test('a policy limited to other datacenters grants nothing here', async (t) => {
  const a = await aclAgent(t);
  const root = await bootstrap(a);
  for (const [name, dcs] of [
    ['kv-dc9', ['dc9']],
    ['kv-dc1', ['dc1']],
  ] as const) {
    const p = await req(a, 'PUT', '/v1/acl/policy', root, { Name: name, Rules: 'key_prefix "" { policy = "write" }', Datacenters: dcs });
    t.is(p.status, 200, p.text);
  }
  const far = await token(a, root, { Policies: [{ Name: 'kv-dc9' }] });
  const near = await token(a, root, { Policies: [{ Name: 'kv-dc1' }] });
  t.is((await req(a, 'PUT', '/v1/kv/k', far, 'v')).status, 403);
  t.is((await req(a, 'PUT', '/v1/kv/k', near, 'v')).status, 200);
});

test('identities are checked with Consul messages', async (t) => {
  const a = await aclAgent(t);
  const root = await bootstrap(a);
  const cases: [unknown, string][] = [
    [{ ServiceIdentities: [{ ServiceName: 'Web' }] }, `Service identity "Web" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`],
    [{ ServiceIdentities: [{}] }, 'Service identity is missing the service name field on this token'],
    [{ NodeIdentities: [{ NodeName: 'n1' }] }, 'Node identity is missing the datacenter field on this token'],
    [{ NodeIdentities: [{ Datacenter: 'dc1' }] }, 'Node identity is missing the node name field on this token'],
    [{ NodeIdentities: [{ NodeName: 'N_1', Datacenter: 'dc1' }] }, `Node identity has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`],
    [{ Local: true, ServiceIdentities: [{ ServiceName: 'web', Datacenters: ['dc1'] }] }, 'Service identity "web" cannot specify a list of datacenters on a local token'],
    [{ ServiceIdentities: 'web' }, 'Request decode failed: ServiceIdentities must be a list of at most 256 identities'],
  ];
  for (const [body, message] of cases) {
    const r = await req(a, 'PUT', '/v1/acl/token', root, body);
    t.is(r.status, 400, JSON.stringify(body));
    t.is(r.text, message);
  }
  const role = await req(a, 'PUT', '/v1/acl/role', root, { Name: 'r', NodeIdentities: [{ NodeName: 'n1' }] });
  t.is(role.status, 400);
  t.is(role.text, 'Node identity is missing the datacenter field on this role');
  const dup = await req(a, 'PUT', '/v1/acl/token', root, {
    ServiceIdentities: [
      { ServiceName: 'web', Datacenters: ['dc1'] },
      { ServiceName: 'web', Datacenters: ['dc2'] },
    ],
  });
  t.deepEqual(dup.json.ServiceIdentities, [{ ServiceName: 'web', Datacenters: ['dc1', 'dc2'] }], 'a service named twice is merged');
});

test('concord acl token and role take -service-identity and -node-identity', async (t) => {
  const a = await aclAgent(t);
  const root = await bootstrap(a);
  const cli = (args: string[]) => runCli([...args, '-token', root], { addr: a.httpAddr });
  const created = await cli(['acl', 'token', 'create', '-description', 'svc', '-service-identity', 'web', '-service-identity', 'api:dc1,dc2', '-node-identity', 'n1:dc1']);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /\nService Identities:\n {3}web \(Datacenters: all\)\n {3}api \(Datacenters: dc1, dc2\)\nNode Identities:\n {3}n1 \(Datacenter: dc1\)\n$/);
  const accessor = /^AccessorID: +(\S+)$/m.exec(created.stdout)?.[1] as string;
  const secret = /^SecretID: +(\S+)$/m.exec(created.stdout)?.[1] as string;
  t.is((await register(a, secret, 'web')).status, 200);

  const merged = await cli(['acl', 'token', 'update', '-id', accessor, '-service-identity', 'db', '-merge-service-identities', '-format', 'json']);
  t.is(merged.code, 0, merged.stderr);
  t.deepEqual(
    JSON.parse(merged.stdout).ServiceIdentities.map((s: any) => s.ServiceName),
    ['web', 'api', 'db'],
  );
  t.deepEqual(JSON.parse(merged.stdout).NodeIdentities, [{ NodeName: 'n1', Datacenter: 'dc1' }], 'identities not named are kept');
  t.is((await register(a, secret, 'db')).status, 200);

  const bad = await cli(['acl', 'token', 'create', '-node-identity', 'n1']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /Malformed -node-identity argument: "n1"/);

  const appended = await cli([
    'acl',
    'token',
    'update',
    '-accessor-id',
    accessor,
    '-append-node-identity',
    'n2:dc1',
    '-append-policy-name',
    'global-management',
    '-format',
    'json',
  ]);
  t.is(appended.code, 0, appended.stderr);
  const after = JSON.parse(appended.stdout);
  t.deepEqual(
    after.NodeIdentities.map((n: any) => n.NodeName),
    ['n1', 'n2'],
  );
  t.is(after.ServiceIdentities.length, 3, '-append-* keeps what the token has');
  t.deepEqual(
    after.Policies.map((p: any) => p.Name),
    ['global-management'],
  );

  const role = await cli(['acl', 'role', 'create', '-name', 'svc-role', '-service-identity', 'web:dc1']);
  t.is(role.code, 0, role.stderr);
  t.regex(role.stdout, /\nService Identities:\n {3}web \(Datacenters: dc1\)\n$/);
  const roleId = /^ID: +(\S+)$/m.exec(role.stdout)?.[1] as string;
  const added = await cli(['acl', 'role', 'update', '-id', roleId, '-service-identity', 'api', '-format', 'json']);
  t.deepEqual(
    JSON.parse(added.stdout).ServiceIdentities.map((s: any) => s.ServiceName),
    ['web', 'api'],
    'a role update adds to what the role has',
  );
  const replaced = await cli(['acl', 'role', 'update', '-id', roleId, '-no-merge', '-name', 'svc-role2', '-node-identity', 'n9:dc1', '-format', 'json']);
  t.is(replaced.code, 0, replaced.stderr);
  t.like(JSON.parse(replaced.stdout), { Name: 'svc-role2', NodeIdentities: [{ NodeName: 'n9', Datacenter: 'dc1' }] });
  t.false('ServiceIdentities' in JSON.parse(replaced.stdout), '-no-merge replaces');

  const pol = await cli(['acl', 'policy', 'create', '-name', 'p1', '-rules', 'key "a" { policy = "read" }']);
  t.is(pol.code, 0, pol.stderr);
  const upd = await cli(['acl', 'policy', 'update', '-name', 'p1', '-description', 'by name', '-format', 'json']);
  t.is(upd.code, 0, upd.stderr);
  t.like(JSON.parse(upd.stdout), { Name: 'p1', Description: 'by name', Rules: 'key "a" { policy = "read" }' });
});

test('a service registered with a token syncs to the catalog with that token, also after a restart, and its file is 0600', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ datacenter: 'dc1', acl: { enabled: true, default_policy: 'deny' } }));
  const a = await startAgent(t, { durable: true, extraArgs: ['-config-file', join(dir, 'acl.json')] });
  const root = await bootstrap(a);
  const web = await token(a, root, { ServiceIdentities: [{ ServiceName: 'web' }] });
  t.is((await req(a, 'PUT', '/v1/agent/service/register', web, { Name: 'web', ID: 'web-1', Port: 80, Check: { TTL: '60s' } })).status, 200);
  t.is((await req(a, 'PUT', '/v1/agent/check/pass/service:web-1', web)).status, 200);
  const inCatalog = async (b: AgentProcess) => ((await req(b, 'GET', '/v1/health/service/web?passing', root)).json ?? []).map((e: any) => e.Service.ID);
  await eventually(async () => (await inCatalog(a)).includes('web-1'), 10_000, 'web-1 synced with its token under default deny', 200);

  const files = readdirSync(join(a.dataDir as string, 'local', 'services'));
  t.is(files.length, 1);
  const file = join(a.dataDir as string, 'local', 'services', files[0] as string);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(JSON.parse(readFileSync(file, 'utf8')).token, web, 'the registration token is kept with the service');

  await a.stop();
  const b = await startAgent(t, { durable: true, dataDir: a.dataDir as string, extraArgs: ['-config-file', join(dir, 'acl.json')] });
  t.is((await req(b, 'PUT', '/v1/agent/service/deregister/web-1', web)).status, 200);
  const catalogIds = async () => ((await req(b, 'GET', '/v1/catalog/service/web', root)).json ?? []).map((e: any) => e.ServiceID);
  await eventually(async () => (await catalogIds()).length === 0, 10_000, 'the deregistration with the restored token', 200);
});
