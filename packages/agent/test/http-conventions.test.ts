import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
  const reg = async (node: string, meta: Record<string, string>, svc: object) => {
    const r = await call(agent, 'PUT', '/v1/catalog/register', { Node: node, Address: '10.2.0.1', NodeMeta: meta, Service: svc });
    if (r.status !== 200) throw new Error(`register: ${r.status} ${r.text}`);
  };
  await reg('fn-1', { 'k-1': 'x' }, { ID: 'fweb-1', Service: 'fweb', Tags: ['v1'], Port: 80, Meta: { env: 'qa' } });
  await reg('fn-2', { 'k-1': 'y' }, { ID: 'fweb-2', Service: 'fweb', Tags: ['v1', 'v2'], Port: 81, Meta: { env: 'qa' }, Address: '10.2.0.9' });
  await reg('fn-3', {}, { ID: 'fweb-3', Service: 'fweb', Tags: ['v2'], Port: 82, Meta: { env: 'prod' } });
});

// Serial tests run first, while the KV store and the session table are still empty.
test.serial('X-Consul-Index is never 0, even for tables that were never written', async (t) => {
  for (const path of ['/v1/kv/?keys', '/v1/kv/nothing', '/v1/session/list', '/v1/kv/?recurse']) {
    const r = await call(agent, 'GET', path);
    const index = r.headers.get('x-consul-index');
    t.truthy(index, path);
    t.regex(index ?? '', /^[1-9]\d*$/, path);
  }
});

const ids = async (path: string, filter: string): Promise<string[]> => {
  const r = await call(agent, 'GET', `${path}${path.includes('?') ? '&' : '?'}filter=${encodeURIComponent(filter)}`);
  if (r.status !== 200) throw new Error(`${filter}: ${r.status} ${r.text}`);
  return r
    .json<{ ServiceID: string }[]>()
    .map((s) => s.ServiceID)
    .sort();
};

test('?filter supports ==, !=, contains, in, not in, matches, is empty and selectors into maps', async (t) => {
  const svc = '/v1/catalog/service/fweb';
  t.deepEqual(await ids(svc, 'ServiceMeta.env == "qa"'), ['fweb-1', 'fweb-2']);
  t.deepEqual(await ids(svc, 'ServiceMeta.env != "qa"'), ['fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceTags contains "v2"'), ['fweb-2', 'fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceTags not contains "v2"'), ['fweb-1']);
  t.deepEqual(await ids(svc, '"v1" in ServiceTags'), ['fweb-1', 'fweb-2']);
  t.deepEqual(await ids(svc, '"v1" not in ServiceTags'), ['fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceID matches "^fweb-[13]$"'), ['fweb-1', 'fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceID not matches "1$"'), ['fweb-2', 'fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceAddress is empty'), ['fweb-1', 'fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceAddress is not empty'), ['fweb-2']);
  t.deepEqual(await ids(svc, 'NodeMeta["k-1"] == "x"'), ['fweb-1']);
  t.deepEqual(await ids(svc, 'ServiceMeta.env == `prod`'), ['fweb-3']);
  t.deepEqual(await ids(svc, 'ServicePort == 81'), ['fweb-2']);
});

test('?filter combines with and, or, not and parentheses with the usual precedence', async (t) => {
  const svc = '/v1/catalog/service/fweb';
  t.deepEqual(await ids(svc, 'ServiceMeta.env == "qa" and "v2" in ServiceTags'), ['fweb-2']);
  t.deepEqual(await ids(svc, 'ServiceID == "fweb-1" or ServiceID == "fweb-3"'), ['fweb-1', 'fweb-3']);
  t.deepEqual(await ids(svc, 'not ServiceMeta.env == "qa"'), ['fweb-3']);
  t.deepEqual(await ids(svc, 'ServiceID == "fweb-3" or ServiceMeta.env == "qa" and "v2" in ServiceTags'), ['fweb-2', 'fweb-3']);
  t.deepEqual(await ids(svc, '(ServiceID == "fweb-3" or ServiceMeta.env == "qa") and "v2" in ServiceTags'), ['fweb-2', 'fweb-3']);
  t.deepEqual(await ids(svc, 'not (ServiceID == "fweb-3" or ServiceID == "fweb-2")'), ['fweb-1']);
});

test('?filter applies to health, nodes and agent endpoints too', async (t) => {
  const health = await call(agent, 'GET', `/v1/health/service/fweb?filter=${encodeURIComponent('Service.Meta.env == "prod"')}`);
  t.deepEqual(
    health.json<{ Service: { ID: string } }[]>().map((e) => e.Service.ID),
    ['fweb-3'],
  );
  const nodes = await call(agent, 'GET', `/v1/catalog/nodes?filter=${encodeURIComponent('Meta["k-1"] == "y"')}`);
  t.deepEqual(
    nodes.json<{ Node: string }[]>().map((n) => n.Node),
    ['fn-2'],
  );
  const members = await call(agent, 'GET', `/v1/agent/members?filter=${encodeURIComponent('Name == "nobody"')}`);
  t.deepEqual(members.json(), []);
  const services = await call(agent, 'GET', `/v1/catalog/services?filter=${encodeURIComponent('ServiceMeta.env == "prod"')}`);
  t.deepEqual(services.json(), { fweb: ['v2'] });
});

test('a malformed filter expression is a 400 with a plain-text reason', async (t) => {
  for (const expr of ['ServiceMeta.env ===', 'ServiceID == "a" and', '(ServiceID == "a"', 'ServiceID matches "("', 'ServiceID ~ "a"', '"unterminated']) {
    const r = await call(agent, 'GET', `/v1/catalog/service/fweb?filter=${encodeURIComponent(expr)}`);
    t.is(r.status, 400, expr);
    t.regex(r.headers.get('content-type') ?? '', /^text\/plain/, expr);
    t.true(r.text.length > 0, expr);
  }
});

test('?dc names only this datacenter: another one is a 500 No path to datacenter', async (t) => {
  for (const path of ['/v1/kv/any?dc=other', '/v1/catalog/services?dc=other', '/v1/health/service/fweb?dc=other', '/v1/session/list?dc=other']) {
    const r = await call(agent, 'GET', path);
    t.is(r.status, 500, path);
    t.is(r.text, 'No path to datacenter', path);
  }
  const put = await call(agent, 'PUT', '/v1/kv/dc-other?dc=other', 'v');
  t.is(put.status, 500);
  t.is(put.text, 'No path to datacenter');
  t.is((await call(agent, 'GET', '/v1/kv/dc-other')).status, 404);
  t.is((await call(agent, 'PUT', '/v1/kv/dc-mine?dc=dc1', 'v')).text, 'true');
  const del = await call(agent, 'DELETE', '/v1/kv/dc-mine?dc=other');
  t.is(del.status, 500);
  t.is((await call(agent, 'GET', '/v1/kv/dc-mine')).status, 200);
  const txn = await call(agent, 'PUT', '/v1/txn?dc=other', [{ KV: { Verb: 'set', Key: 'dc-txn', Value: 'dg==' } }]);
  t.is(txn.status, 500);
  t.is(txn.text, 'No path to datacenter');
  t.is((await call(agent, 'GET', '/v1/kv/dc-txn')).status, 404);
  t.is((await call(agent, 'GET', '/v1/catalog/services?dc=dc1')).status, 200);
});

test('?stale with ?consistent is a 400; each alone sets X-Consul-Effective-Consistency', async (t) => {
  const both = await call(agent, 'GET', '/v1/catalog/services?stale&consistent');
  t.is(both.status, 400);
  t.is(both.text, 'Cannot specify ?stale with ?consistent, conflicting semantics.');
  const stale = await call(agent, 'GET', '/v1/catalog/services?stale');
  t.is(stale.status, 200);
  t.is(stale.headers.get('x-consul-effective-consistency'), 'stale');
  const consistent = await call(agent, 'GET', '/v1/catalog/services?consistent');
  t.is(consistent.headers.get('x-consul-effective-consistency'), 'consistent');
  const dflt = await call(agent, 'GET', '/v1/catalog/services');
  t.is(dflt.headers.get('x-consul-effective-consistency'), 'leader');
});

test('a wrong method is a 405 with an Allow header and OPTIONS answers 200 with it', async (t) => {
  const cases: [string, string, string][] = [
    ['DELETE', '/v1/catalog/services', 'OPTIONS,GET'],
    ['POST', '/v1/kv/some/key', 'OPTIONS,GET,PUT,DELETE'],
    ['GET', '/v1/catalog/register', 'OPTIONS,PUT'],
    ['PUT', '/v1/health/service/fweb', 'OPTIONS,GET'],
    ['GET', '/v1/session/create', 'OPTIONS,PUT'],
  ];
  for (const [method, path, allow] of cases) {
    const r = await call(agent, method, path, method === 'GET' ? undefined : '');
    t.is(r.status, 405, `${method} ${path}`);
    t.is(r.headers.get('allow'), allow, `${method} ${path}`);
    t.is(r.text, `method ${method} not allowed`);
  }
  const opt = await call(agent, 'OPTIONS', '/v1/kv/some/key');
  t.is(opt.status, 200);
  t.is(opt.text, '');
  t.is(opt.headers.get('allow'), 'OPTIONS,GET,PUT,DELETE');
  t.is((await call(agent, 'GET', '/v1/kv/some/key')).status, 404, 'the 405 wrote nothing');
});

test('an unknown path is a 404 with an empty body; / leads a -dev agent to its UI', async (t) => {
  for (const path of ['/v1/nope', '/v2/kv/a', '/v1/catalog/unknown-endpoint', '/favicon.ico']) {
    const r = await call(agent, 'GET', path);
    t.is(r.status, 404, path);
    t.is(r.text, '', path);
  }
  // -dev turns the web UI on, as in Consul: / redirects there (ui-serving.test.ts has the rest,
  // and the plain 'Consul Agent' answer of an agent without the UI).
  const root = await fetch(`${agent.base}/`, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  t.is(root.status, 301);
  t.is(root.headers.get('location'), '/ui/');
});

test('?pretty indents JSON with 4 spaces and a trailing newline; plain reads are compact', async (t) => {
  const pretty = await call(agent, 'GET', '/v1/catalog/service/fweb?pretty');
  t.true(pretty.text.startsWith('[\n    {\n        "'), pretty.text.slice(0, 40));
  t.true(pretty.text.endsWith('\n'));
  const plain = await call(agent, 'GET', '/v1/catalog/service/fweb');
  t.false(plain.text.includes('\n'));
  t.deepEqual(pretty.json(), plain.json());
  t.regex(plain.headers.get('content-type') ?? '', /^application\/json/);
  t.is(plain.headers.get('x-consul-default-acl-policy'), 'allow');
});

test('request bodies bind field names case-insensitively', async (t) => {
  const r = await call(agent, 'PUT', '/v1/catalog/register', {
    node: 'lower-node',
    ADDRESS: '10.3.0.1',
    service: { service: 'lowersvc', port: 99 },
  });
  t.is(r.status, 200, r.text);
  const svc = (await call(agent, 'GET', '/v1/catalog/service/lowersvc')).json<{ Node: string; ServicePort: number; Address: string }[]>();
  t.like(svc[0], { Node: 'lower-node', ServicePort: 99, Address: '10.3.0.1' });
});

test('path parameters are percent-decoded exactly once', async (t) => {
  const r = await call(agent, 'PUT', '/v1/catalog/register', { Node: 'pct-node', Address: '10.3.0.2', Service: { Service: '100%', Port: 1 } });
  t.is(r.status, 200, r.text);
  const svc = await call(agent, 'GET', '/v1/catalog/service/100%25');
  t.is(svc.status, 200, svc.text);
  t.deepEqual(
    svc.json<{ ServiceName: string }[]>().map((s) => s.ServiceName),
    ['100%'],
  );
  t.is((await call(agent, 'GET', '/v1/health/service/100%25')).json<unknown[]>().length, 1);
  t.deepEqual((await call(agent, 'GET', '/v1/catalog/service/100%2525')).json(), [], 'no second decoding');
  t.is((await call(agent, 'PUT', '/v1/kv/pct/100%25', 'v')).text, 'true');
  t.deepEqual((await call(agent, 'GET', '/v1/kv/pct/?keys')).json(), ['pct/100%']);
});
