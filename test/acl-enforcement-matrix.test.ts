/**
 * The ACL matrix on one server with default deny: each resource × read / write / an explicit deny,
 * for the anonymous token, a scoped token and a management token, through HTTP, DNS (the agent's
 * default token) and the CLI. The scoped token's policy grants, per resource, read on `r…`,
 * write on `w…` and denies `d…` beneath a catch-all read, as Consul's rules read.
 */
import { Resolver } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type AgentProcess, eventually, runCli, startAgent, tempDir } from '@concord/testkit';

const RULES = `
key_prefix "" { policy = "read" }
key_prefix "w" { policy = "write" }
key_prefix "d" { policy = "deny" }
service_prefix "" { policy = "read" }
service_prefix "w" { policy = "write" }
service_prefix "d" { policy = "deny" }
node_prefix "" { policy = "read" }
node_prefix "w" { policy = "write" }
node_prefix "d" { policy = "deny" }
session_prefix "" { policy = "read" }
session_prefix "w" { policy = "write" }
event_prefix "" { policy = "read" }
event_prefix "w" { policy = "write" }
event_prefix "d" { policy = "deny" }
agent_prefix "" { policy = "read" }
query_prefix "" { policy = "read" }
query_prefix "w" { policy = "write" }
operator = "read"
acl = "read"
`;

type Call = { status: number; text: string; headers: Headers };
const call = async (a: AgentProcess, method: string, path: string, token: string | undefined, body?: unknown): Promise<Call> => {
  const r = await fetch(`${a.base}${path}`, {
    method,
    headers: token ? { 'X-Consul-Token': token } : {},
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text(), headers: r.headers };
};

interface World {
  a: AgentProcess;
  root: string;
  scoped: string;
}

async function world(t: ExecutionContext): Promise<World> {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'root-secret' } } }));
  const a = await startAgent(t, { dns: true, extraArgs: ['-config-file', join(dir, 'acl.json')] });
  const root = 'root-secret';
  await eventually(async () => (await call(a, 'GET', '/v1/acl/token/self', root)).status === 200, 30_000, 'the initial management token', 200);
  const pol = await call(a, 'PUT', '/v1/acl/policy', root, { Name: 'scoped', Rules: RULES });
  const scoped = JSON.parse((await call(a, 'PUT', '/v1/acl/token', root, { Policies: [{ ID: JSON.parse(pol.text).ID }] })).text).SecretID as string;
  // Fixtures, written with management: nodes r/w/d, one service on each, keys, an event.
  for (const p of ['r', 'w', 'd']) {
    const reg = { Node: `${p}node`, Address: '127.0.0.9', Service: { Service: `${p}svc`, Port: 80 } };
    t.is((await call(a, 'PUT', '/v1/catalog/register', root, reg)).status, 200);
    t.is((await call(a, 'PUT', `/v1/kv/${p}key`, root, 'v')).status, 200);
    t.is((await call(a, 'PUT', `/v1/event/fire/${p}event`, root)).status, 200);
  }
  return { a, root, scoped };
}

test('each resource × read / write / deny for anonymous, a scoped token and management, through HTTP', async (t) => {
  const { a, root, scoped } = await world(t);
  const tokens = { anonymous: undefined, scoped, management: root } as const;
  type Who = keyof typeof tokens;
  /** [what, probe, who may] for each cell. */
  const cells: [string, (tok: string | undefined) => Promise<boolean>, Who[]][] = [
    ['key read r', async (tok) => (await call(a, 'GET', '/v1/kv/rkey', tok)).status === 200, ['scoped', 'management']],
    ['key write r', async (tok) => (await call(a, 'PUT', '/v1/kv/rkey', tok, 'x')).status === 200, ['management']],
    ['key write w', async (tok) => (await call(a, 'PUT', '/v1/kv/wkey', tok, 'x')).status === 200, ['scoped', 'management']],
    ['key read d (deny)', async (tok) => (await call(a, 'GET', '/v1/kv/dkey', tok)).status === 200, ['management']],
    ['service read r', async (tok) => JSON.parse((await call(a, 'GET', '/v1/catalog/service/rsvc', tok)).text).length === 1, ['scoped', 'management']],
    ['service read d (deny)', async (tok) => JSON.parse((await call(a, 'GET', '/v1/catalog/service/dsvc', tok)).text).length === 1, ['management']],
    ['service write w', async (tok) => (await call(a, 'PUT', '/v1/agent/service/register', tok, { Name: 'wsvc2', Port: 1 })).status === 200, ['scoped', 'management']],
    ['service write r', async (tok) => (await call(a, 'PUT', '/v1/agent/service/register', tok, { Name: 'rsvc2', Port: 1 })).status === 200, ['management']],
    ['node read r', async (tok) => JSON.parse((await call(a, 'GET', '/v1/catalog/node/rnode', tok)).text) !== null, ['scoped', 'management']],
    ['node read d (deny)', async (tok) => JSON.parse((await call(a, 'GET', '/v1/catalog/node/dnode', tok)).text) !== null, ['management']],
    ['node write w', async (tok) => (await call(a, 'PUT', '/v1/catalog/register', tok, { Node: 'wnode', Address: '127.0.0.8' })).status === 200, ['scoped', 'management']],
    ['node write r', async (tok) => (await call(a, 'PUT', '/v1/catalog/register', tok, { Node: 'rnode', Address: '127.0.0.8' })).status === 200, ['management']],
    ['session write w', async (tok) => (await call(a, 'PUT', '/v1/session/create', tok, { Node: 'wnode', NodeChecks: [] })).status === 200, ['scoped', 'management']],
    ['session write r', async (tok) => (await call(a, 'PUT', '/v1/session/create', tok, { Node: 'rnode', NodeChecks: [] })).status === 200, ['management']],
    ['event write w', async (tok) => (await call(a, 'PUT', '/v1/event/fire/wdeploy', tok)).status === 200, ['scoped', 'management']],
    ['event write r', async (tok) => (await call(a, 'PUT', '/v1/event/fire/rdeploy', tok)).status === 200, ['management']],
    ['event read d (deny)', async (tok) => JSON.parse((await call(a, 'GET', '/v1/event/list?name=devent', tok)).text).length === 1, ['management']],
    ['event read r', async (tok) => JSON.parse((await call(a, 'GET', '/v1/event/list?name=revent', tok)).text).length === 1, ['scoped', 'management']],
    [
      'query write w',
      async (tok) => (await call(a, 'POST', '/v1/query', tok, { Name: `wq${Math.random().toString(36).slice(2)}`, Service: { Service: 'rsvc' } })).status === 200,
      ['scoped', 'management'],
    ],
    [
      'query write r',
      async (tok) => (await call(a, 'POST', '/v1/query', tok, { Name: `rq${Math.random().toString(36).slice(2)}`, Service: { Service: 'rsvc' } })).status === 200,
      ['management'],
    ],
    ['query read', async (tok) => JSON.parse((await call(a, 'GET', '/v1/query', tok)).text).length > 0, ['scoped', 'management']],
    ['agent read', async (tok) => (await call(a, 'GET', '/v1/agent/self', tok)).status === 200, ['scoped', 'management']],
    ['agent write', async (tok) => (await call(a, 'PUT', `/v1/agent/join/127.0.0.1:1`, tok)).status !== 403, ['management']],
    ['agent host (operator read)', async (tok) => (await call(a, 'GET', '/v1/agent/host', tok)).status === 200, ['scoped', 'management']],
    ['force-leave (operator write)', async (tok) => (await call(a, 'PUT', '/v1/agent/force-leave/nobody', tok)).status !== 403, ['management']],
    ['operator read', async (tok) => (await call(a, 'GET', '/v1/operator/raft/configuration', tok)).status === 200, ['scoped', 'management']],
    ['operator write', async (tok) => (await call(a, 'PUT', '/v1/operator/raft/transfer-leader', tok)).status !== 403, ['management']],
    ['acl read', async (tok) => (await call(a, 'GET', '/v1/acl/policies', tok)).status === 200, ['scoped', 'management']],
    ['acl write', async (tok) => (await call(a, 'PUT', '/v1/acl/policy', tok, { Name: `p${Math.random().toString(36).slice(2)}` })).status === 200, ['management']],
    ['snapshot (management)', async (tok) => (await call(a, 'GET', '/v1/snapshot', tok)).status === 200, ['management']],
  ];
  for (const [what, probe, allowed] of cells) {
    for (const who of Object.keys(tokens) as Who[]) {
      t.is(await probe(tokens[who]), allowed.includes(who), `${what} as ${who}`);
    }
  }
  const filtered = await call(a, 'GET', '/v1/catalog/services', scoped);
  const names = Object.keys(JSON.parse(filtered.text));
  t.true(names.includes('rsvc') && names.includes('wsvc'));
  t.false(
    names.some((n) => n.startsWith('d')),
    'denied services are filtered out',
  );
  t.is(filtered.headers.get('x-consul-results-filtered-by-acls'), 'true');
  // The internal views (the web UI's) are filtered the same way.
  const ui = JSON.parse((await call(a, 'GET', '/v1/internal/ui/services', scoped)).text) as { Name: string }[];
  t.true(ui.some((x) => x.Name === 'rsvc'));
  t.false(ui.some((x) => x.Name === 'dsvc'));
  t.deepEqual(JSON.parse((await call(a, 'GET', '/v1/internal/ui/nodes', undefined)).text), [], 'anonymous sees no node');
  const txn = await call(a, 'PUT', '/v1/txn', scoped, [{ KV: { Verb: 'set', Key: 'wkey', Value: 'eA==' } }, { KV: { Verb: 'set', Key: 'rkey', Value: 'eA==' } }]);
  t.is(txn.status, 409);
  const errors = JSON.parse(txn.text).Errors as { OpIndex: number; What: string }[];
  t.is(errors.length, 1);
  t.is(errors[0]?.OpIndex, 1);
  t.regex(errors[0]?.What ?? '', /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "rkey"$/);
  // KV reads in a txn are not refused: what the token may not read is left out of the results.
  const reads = await call(a, 'PUT', '/v1/txn', scoped, [{ KV: { Verb: 'get', Key: 'rkey' } }, { KV: { Verb: 'get', Key: 'dkey' } }]);
  t.is(reads.status, 200, reads.text);
  t.deepEqual(
    JSON.parse(reads.text).Results.map((r: { KV: { Key: string } }) => r.KV.Key),
    ['rkey'],
  );
  t.is(reads.headers.get('x-consul-results-filtered-by-acls'), 'true');
  // Anonymous requests are never told that something was filtered.
  const anon = await call(a, 'GET', '/v1/catalog/services', undefined);
  t.is(anon.headers.get('x-consul-results-filtered-by-acls'), null);
});

test("a refusal names the token and the permission it lacks, in Consul's words", async (t) => {
  const { a, scoped } = await world(t);
  const accessor = (JSON.parse((await call(a, 'GET', '/v1/acl/token/self', scoped)).text) as { AccessorID: string }).AccessorID;
  const node = (JSON.parse((await call(a, 'GET', '/v1/agent/self', scoped)).text) as { Config: { NodeName: string } }).Config.NodeName;
  const lacks = (permission: string, name?: string) =>
    `Permission denied: token with AccessorID '${accessor}' lacks permission '${permission}'${name === undefined ? '' : ` on "${name}"`}`;
  const refusals: [string, string, unknown, string][] = [
    ['PUT', '/v1/kv/rkey', 'x', lacks('key:write', 'rkey')],
    ['GET', '/v1/kv/dkey', undefined, lacks('key:read', 'dkey')],
    ['DELETE', '/v1/kv/r?recurse', undefined, lacks('key:write', 'r')],
    ['PUT', '/v1/catalog/register', { Node: 'rnode', Address: '127.0.0.8' }, lacks('node:write', 'rnode')],
    ['PUT', '/v1/agent/service/register', { Name: 'rsvc3', Port: 1 }, lacks('service:write', 'rsvc3')],
    ['PUT', '/v1/session/create', { Node: 'rnode', NodeChecks: [] }, lacks('session:write', 'rnode')],
    ['PUT', '/v1/event/fire/rdeploy', undefined, lacks('event:write', 'rdeploy')],
    ['PUT', '/v1/operator/raft/transfer-leader', undefined, lacks('operator:write')],
    ['PUT', '/v1/agent/join/127.0.0.1:1', undefined, lacks('agent:write', node)],
    ['GET', '/v1/snapshot', undefined, lacks('acl:write')],
    ['PUT', '/v1/acl/policy', { Name: 'nope' }, lacks('acl:write')],
  ];
  for (const [method, path, body, message] of refusals) {
    const r = await call(a, method, path, scoped, body);
    t.is(r.status, 403, `${method} ${path}`);
    t.is(r.text, message, `${method} ${path}`);
  }
  // Anonymous is the anonymous token; an unknown secret is not a token at all.
  t.is(
    (await call(a, 'GET', '/v1/kv/rkey', undefined)).text,
    `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'key:read' on "rkey"`,
  );
  t.is((await call(a, 'GET', '/v1/kv/rkey', 'no-such-secret')).text, 'ACL not found');
});

test('DNS answers with the agent default token: nothing for anonymous, what the token may read once set', async (t) => {
  const { a, root, scoped } = await world(t);
  const dns = new Resolver({ timeout: 2000, tries: 1 });
  dns.setServers([`127.0.0.1:${a.dnsPort}`]);
  const lookup = async (name: string) => {
    try {
      return await dns.resolve4(name);
    } catch {
      return [];
    }
  };
  t.deepEqual(await lookup('rsvc.service.consul'), [], 'anonymous under default deny reads no service');
  t.is((await call(a, 'PUT', '/v1/agent/token/default', root, { Token: scoped })).status, 200);
  await eventually(async () => (await lookup('rsvc.service.consul')).length === 1, 10_000, 'rsvc over DNS', 200);
  t.deepEqual(await lookup('rsvc.service.consul'), ['127.0.0.9']);
  t.deepEqual(await lookup('dsvc.service.consul'), [], 'a denied service is not answered');
  t.deepEqual(await lookup('dnode.node.consul'), []);
  t.deepEqual(await lookup('rnode.node.consul'), ['127.0.0.9']);
});

test('the CLI reads and writes as its token allows', async (t) => {
  const { a, root, scoped } = await world(t);
  const cli = (args: string[]) => runCli(args, { addr: a.httpAddr });
  t.is((await cli(['kv', 'get', '-token', scoped, 'rkey'])).stdout, 'v\n');
  t.regex((await cli(['kv', 'get', '-token', scoped, 'dkey'])).stderr, /403 \(Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:read' on "dkey"\)/);
  t.regex(
    (await cli(['kv', 'put', '-token', scoped, 'rkey', 'x'])).stderr,
    /403 \(Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "rkey"\)/,
  );
  t.is((await cli(['kv', 'put', '-token', scoped, 'wkey', 'x'])).code, 0);
  t.regex(
    (await cli(['kv', 'get', 'rkey'])).stderr,
    /403 \(Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'key:read' on "rkey"\)/,
    'anonymous',
  );
  const services = await cli(['catalog', 'services', '-token', scoped]);
  t.true(services.stdout.includes('rsvc'));
  t.false(services.stdout.includes('dsvc'));
  t.regex(
    (await cli(['acl', 'policy', 'create', '-name', 'x', '-token', scoped])).stderr,
    /403 \(Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'acl:write'\)/,
  );
  t.is((await cli(['acl', 'policy', 'create', '-name', 'x', '-token', root])).code, 0);
});
