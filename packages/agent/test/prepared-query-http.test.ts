import test from 'ava';
import { type AgentProcess, call, eventually, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

async function ok(method: string, path: string, body?: object): Promise<ReturnType<typeof call> extends Promise<infer R> ? R : never> {
  const r = await call(agent, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r;
}

async function register(
  node: string,
  id: string,
  service: string,
  opts: { port?: number; tags?: string[]; meta?: Record<string, string>; status?: string; nodeMeta?: Record<string, string>; address?: string } = {},
) {
  await ok('PUT', '/v1/catalog/register', {
    Node: node,
    Address: opts.address ?? '127.0.0.1',
    NodeMeta: opts.nodeMeta ?? {},
    Service: { ID: id, Service: service, Port: opts.port ?? 80, Tags: opts.tags ?? [], Meta: opts.meta ?? {} },
    Checks: [{ CheckID: `${id}-check`, Name: 'c', ServiceID: id, Status: opts.status ?? 'passing' }],
  });
}

async function createQuery(def: object): Promise<string> {
  return (await ok('POST', '/v1/query', def)).json<{ ID: string }>().ID;
}

interface Execute {
  Service: string;
  Nodes: { Node: { Node: string }; Service: { ID: string; Tags: string[] } }[];
  DNS: { TTL: string };
  Datacenter: string;
  Failovers: number;
  Index: number;
  KnownLeader: boolean;
}

const execute = async (name: string, q = '', on: AgentProcess = agent) => {
  const r = await call(on, 'GET', `/v1/query/${encodeURIComponent(name)}/execute${q}`);
  if (r.status !== 200) throw new Error(`execute ${name}: ${r.status} ${r.text}`);
  return r.json<Execute>();
};
const ids = (r: Execute) => r.Nodes.map((n) => n.Service.ID).sort();

test("create, read, list, update and delete with every field kept in Consul's shape", async (t) => {
  const def = {
    Name: 'crud-q',
    Token: 'tok',
    Service: {
      Service: 'crud',
      Failover: { NearestN: 2, Datacenters: ['dc2', 'dc3'] },
      OnlyPassing: true,
      IgnoreCheckIDs: ['x'],
      Near: '_agent',
      Tags: ['a', '!b'],
      NodeMeta: { rack: 'r1' },
      ServiceMeta: { env: 'prod' },
    },
    DNS: { TTL: '10s' },
  };
  const id = await createQuery(def);
  t.regex(id, /^[0-9a-f-]{36}$/);
  const got = await ok('GET', `/v1/query/${id}`);
  t.regex(got.headers.get('x-consul-index') ?? '', /^\d+$/);
  const [q] = got.json<Record<string, unknown>[]>();
  t.deepEqual(Object.keys(q as object), ['ID', 'Name', 'Session', 'Token', 'Template', 'Service', 'DNS', 'CreateIndex', 'ModifyIndex']);
  // every field comes back as given, and the unset ones with Consul's zero values
  t.like(q, {
    ...def,
    ID: id,
    Session: '',
    Template: { Type: '', Regexp: '', RemoveEmptyTags: false },
    Service: { ...def.Service, Failover: { ...def.Service.Failover, Targets: null }, Connect: false, Peer: '', SamenessGroup: '' },
  });
  const list = (await ok('GET', '/v1/query')).json<{ ID: string }[]>();
  t.true(list.some((x) => x.ID === id));

  const up = await call(agent, 'PUT', `/v1/query/${id}`, { ...def, ID: 'ignored', Service: { Service: 'crud2' } });
  t.is(up.status, 200);
  t.is(up.text, '');
  const [after] = (await ok('GET', `/v1/query/${id}`)).json<{ ID: string; Service: { Service: string; Tags: null }; CreateIndex: number; ModifyIndex: number }[]>();
  t.is(after?.ID, id, 'the ID comes from the URL');
  t.is(after?.Service.Service, 'crud2');
  t.is(after?.Service.Tags, null, 'an update replaces the whole definition');
  t.true((after?.ModifyIndex ?? 0) > (after?.CreateIndex ?? 0));

  t.is((await call(agent, 'DELETE', `/v1/query/${id}`)).status, 200);
  const gone = await call(agent, 'GET', `/v1/query/${id}`);
  t.is(gone.status, 404);
  t.is(gone.text, 'Query not found');
  const again = await call(agent, 'DELETE', `/v1/query/${id}`);
  t.is(again.status, 404);
  t.is(again.text, `Cannot modify non-existent prepared query: '${id}'`);
});

test("bad definitions are refused with Consul's reasons", async (t) => {
  const cases: [object, number, string | RegExp][] = [
    [{ Service: { Service: 'x' } }, 400, 'Invalid prepared query: Must be bound to a session'],
    [{ Name: 'b1', Service: {} }, 400, 'Invalid prepared query: Must provide a Service name to query'],
    [{ Name: 'b2', Service: { Service: 'x', Failover: { NearestN: -1 } } }, 400, "Invalid prepared query: Bad NearestN '-1', must be >= 0"],
    [{ Name: 'b3', Service: { Service: 'x' }, DNS: { TTL: 'soon' } }, 400, /^Invalid prepared query: Bad DNS TTL 'soon'/],
    [{ Name: 'b4', Service: { Service: 'x' }, Token: '<hidden>' }, 400, /redacted token/],
    [{ Name: 'b5', Service: { Service: 'x' }, Session: 'nope' }, 400, 'invalid session "nope"'],
    [{ Name: 'b6', Service: { Service: 'x' }, Bogus: 1 }, 400, /unknown field "Bogus"/],
    [{ Name: 'b7', Service: { Service: 7 } }, 400, /Service must be a string/],
    [{ Name: 'b8', Template: { Type: 'name_prefix_match' }, Service: { Service: '${nope}' } }, 400, /^failed compiling template: Bad format/],
    [{ Name: 'b9', Service: { Service: 'x', NodeMeta: { 'bad key': 'v' } } }, 400, /Key contains invalid characters/],
    [{ Name: 'x'.repeat(600), Service: { Service: 'x' } }, 400, /Name is longer than 512/],
    [{ ID: 'mine', Name: 'b10', Service: { Service: 'x' } }, 400, /ID must be empty/],
  ];
  for (const [body, status, message] of cases) {
    const r = await call(agent, 'POST', '/v1/query', body);
    t.is(r.status, status, JSON.stringify(body).slice(0, 80));
    if (typeof message === 'string') t.is(r.text, message);
    else t.regex(r.text, message);
  }
  const notJson = await call(agent, 'POST', '/v1/query', '{');
  t.is(notJson.status, 400);
  const big = await call(agent, 'POST', '/v1/query', `{"Name":"${'y'.repeat(70 * 1024)}"}`);
  t.is(big.status, 413);
  await createQuery({ Name: 'dup', Service: { Service: 'x' } });
  const dup = await call(agent, 'POST', '/v1/query', { Name: 'DUP', Service: { Service: 'x' } });
  t.is(dup.status, 400);
  t.is(dup.text, "name 'DUP' aliases an existing query name");
  t.is((await call(agent, 'GET', '/v1/query/nope/execute')).status, 404);
  t.is((await call(agent, 'GET', '/v1/query/dup/execute?limit=x')).status, 400);
  t.is((await call(agent, 'POST', '/v1/query/dup/execute')).status, 405);
});

test("execute answers Consul's shape and applies health, tags, meta and limit", async (t) => {
  await register('ex-n1', 'ex-1', 'exsvc', { tags: ['v1', 'primary'], meta: { env: 'prod' }, nodeMeta: { rack: 'a' } });
  await register('ex-n2', 'ex-2', 'exsvc', { tags: ['v1'], meta: { env: 'prod' }, status: 'warning', nodeMeta: { rack: 'b' } });
  await register('ex-n3', 'ex-3', 'exsvc', { tags: ['v1', 'canary'], status: 'critical' });
  await createQuery({ Name: 'ex-all', Service: { Service: 'exsvc' }, DNS: { TTL: '7s' } });
  const r = await execute('ex-all');
  t.deepEqual(Object.keys(r).slice(0, 6), ['Service', 'Nodes', 'DNS', 'Datacenter', 'PeerName', 'Failovers']);
  t.like(r, { Service: 'exsvc', DNS: { TTL: '7s' }, Datacenter: 'dc1', Failovers: 0, KnownLeader: true });
  t.deepEqual(ids(r), ['ex-1', 'ex-2']);
  t.deepEqual(Object.keys(r.Nodes[0] as object), ['Node', 'Service', 'Checks']);

  await createQuery({ Name: 'ex-passing', Service: { Service: 'exsvc', OnlyPassing: true } });
  t.deepEqual(ids(await execute('ex-passing')), ['ex-1']);
  await createQuery({ Name: 'ex-ignore', Service: { Service: 'exsvc', IgnoreCheckIDs: ['ex-3-check'], Tags: ['!primary'] } });
  t.deepEqual(ids(await execute('ex-ignore')), ['ex-2', 'ex-3']);
  await createQuery({ Name: 'ex-meta', Service: { Service: 'exsvc', NodeMeta: { rack: 'b' }, ServiceMeta: { env: 'prod' } } });
  t.deepEqual(ids(await execute('ex-meta')), ['ex-2']);
  t.is((await execute('ex-all', '?limit=1')).Nodes.length, 1);
  // executing by ID works as by name
  const [byName] = (await ok('GET', '/v1/query')).json<{ ID: string; Name: string }[]>().filter((q) => q.Name === 'ex-all');
  t.deepEqual(ids(await execute(byName?.ID as string)), ['ex-1', 'ex-2']);
  // results are shuffled: over many runs both orders show up
  const firsts = new Set<string>();
  for (let i = 0; i < 30 && firsts.size < 2; i++) firsts.add((await execute('ex-all')).Nodes[0]?.Service.ID as string);
  t.is(firsts.size, 2);
});

test('Near (and ?near=) sorts by round-trip time from a node, which goes first', async (t) => {
  const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.1, Adjustment: 0, Height: 0.0001 });
  for (const [i, x] of [
    [1, 0.001],
    [2, 0.05],
    [3, 0.02],
  ] as const) {
    await register(`near-n${i}`, `near-${i}`, 'nearsvc');
    await ok('PUT', '/v1/coordinate/update', { Node: `near-n${i}`, Coord: coord(x) });
  }
  await createQuery({ Name: 'near-q', Service: { Service: 'nearsvc', Near: 'near-n2' } });
  await eventually(async () => (await execute('near-q')).Nodes.map((n) => n.Node.Node).join() === 'near-n2,near-n3,near-n1', 10_000, 'the RTT order from near-n2');
  const order = (await execute('near-q', '?near=near-n1')).Nodes.map((n) => n.Node.Node);
  t.deepEqual(order, ['near-n1', 'near-n3', 'near-n2'], "?near= wins over the query's Near");
  const limited = (await execute('near-q', '?limit=2')).Nodes.map((n) => n.Node.Node);
  t.deepEqual(limited, ['near-n2', 'near-n3']);
});

test('a name with "/" is the whole rest of the path, raw or escaped; execute and explain take GET only', async (t) => {
  await register('slash-n1', 'slash-1', 'slashsvc');
  await createQuery({ Name: 'team/web', Service: { Service: 'slashsvc' } });
  t.deepEqual(ids(await execute('team/web')), ['slash-1']);
  const raw = await call(agent, 'GET', '/v1/query/team/web/execute');
  t.is(raw.status, 200);
  t.is(raw.json<Execute>().Nodes.length, 1);
  const explained = await call(agent, 'GET', '/v1/query/team/web/explain');
  t.is(explained.json<{ Query: { Name: string } }>().Query.Name, 'team/web');
  const put = await call(agent, 'PUT', '/v1/query/team/web/execute', {});
  t.is(put.status, 405);
  t.is(put.headers.get('allow'), 'OPTIONS,GET');
});

test('Near "_ip" puts the node at the client\'s address (or X-Forwarded-For) first', async (t) => {
  await register('ip-far', 'ip-1', 'ipsvc', { address: '10.6.0.1' });
  // the agent's own node is on 127.0.0.1 too: the first node by name with the address is taken,
  // as in Consul, so this one sorts before it
  await register('aa-ip-here', 'ip-2', 'ipsvc', { address: '127.0.0.1' });
  await register('ip-proxy', 'ip-3', 'ipsvc', { address: '10.6.0.3' });
  await createQuery({ Name: 'ip-q', Service: { Service: 'ipsvc', Near: '_ip' } });
  for (let i = 0; i < 5; i++) t.is((await execute('ip-q')).Nodes[0]?.Node.Node, 'aa-ip-here');
  for (let i = 0; i < 5; i++) {
    const r = await call(agent, 'GET', '/v1/query/ip-q/execute', undefined, { 'X-Forwarded-For': '10.6.0.3, 127.0.0.1' });
    t.is(r.json<Execute>().Nodes[0]?.Node.Node, 'ip-proxy');
  }
});

test('templates: prefix match, regexp captures, the catch-all and explain', async (t) => {
  // its own agent: the catch-all template answers every name there
  const own = await startAgent(scope);
  const post = async (def: object) => {
    const r = await call(own, 'POST', '/v1/query', def);
    if (r.status !== 200) throw new Error(r.text);
  };
  const reg = async (node: string, id: string, service: string, tags: string[] = []) => {
    const r = await call(own, 'PUT', '/v1/catalog/register', { Node: node, Address: '127.0.0.1', Service: { ID: id, Service: service, Tags: tags } });
    if (r.status !== 200) throw new Error(r.text);
  };
  await reg('tpl-n1', 'tpl-1', 'mysql-customer', ['primary']);
  await reg('tpl-n2', 'tpl-2', 'mysql-customer', ['replica']);
  await reg('tpl-n3', 'tpl-3', 'catchme');
  await post({
    Name: 'geo-db-',
    Template: { Type: 'name_prefix_match', Regexp: '^geo-db-(.*?)-([^\\-]+?)$' },
    Service: { Service: 'mysql-${match(1)}', Tags: ['${match(2)}'] },
  });
  await post({ Name: '', Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.full}' } });
  const r = await execute('geo-db-customer-primary', '', own);
  t.is(r.Service, 'mysql-customer');
  t.deepEqual(ids(r), ['tpl-1']);
  t.deepEqual(ids(await execute('geo-db-customer-replica', '', own)), ['tpl-2']);
  t.deepEqual(ids(await execute('catchme', '', own)), ['tpl-3']);
  t.is((await execute('nothing-like-this', '', own)).Nodes.length, 0);

  const explain = (await call(own, 'GET', '/v1/query/geo-db-customer-primary/explain')).json<{ Query: { Name: string; Service: { Service: string; Tags: string[] } } }>();
  t.is(explain.Query.Name, 'geo-db-');
  t.is(explain.Query.Service.Service, 'mysql-customer');
  t.deepEqual(explain.Query.Service.Tags, ['primary']);
  const second = await call(own, 'POST', '/v1/query', { Name: '', Template: { Type: 'name_prefix_match' }, Service: { Service: 'x' } });
  t.is(second.status, 400);
  t.is(second.text, 'a query template with an empty name already exists');
  await own.stop();
});

test.serial('a blocking list of queries wakes when one is created', async (t) => {
  const first = await ok('GET', '/v1/query');
  const index = Number(first.headers.get('x-consul-index'));
  const started = Date.now();
  const blocked = call(agent, 'GET', `/v1/query?index=${index}&wait=20s`);
  await new Promise((r) => setTimeout(r, 300));
  await createQuery({ Name: 'wakes-blocker', Service: { Service: 'x' } });
  const woken = await blocked;
  t.is(woken.status, 200);
  t.true(Number(woken.headers.get('x-consul-index')) > index);
  t.true(woken.json<{ Name: string }[]>().some((q) => q.Name === 'wakes-blocker'));
  t.true(Date.now() - started < 15_000, 'it did not wait for the timeout');
});

test('a query bound to a session vanishes when the session is destroyed', async (t) => {
  await register('sess-n1', 'sess-1', 'sesssvc');
  const { ID: session } = (await ok('PUT', '/v1/session/create', { Node: 'sess-n1', NodeChecks: [] })).json<{ ID: string }>();
  const id = await createQuery({ Session: session, Service: { Service: 'sesssvc' } });
  t.is((await execute(id)).Nodes.length, 1);
  await ok('PUT', `/v1/session/destroy/${session}`);
  t.is((await call(agent, 'GET', `/v1/query/${id}`)).status, 404);
  t.is((await call(agent, 'GET', `/v1/query/${id}/execute`)).status, 404);
});

test('queries survive a restart of a durable server', async (t) => {
  const dataDir = tempDir(scope);
  const node = `pq-durable-${process.pid}`;
  const first = await startAgent(scope, { durable: true, dataDir, node });
  await eventually(async () => (await call(first, 'GET', '/v1/status/leader')).text.length > 2, 30_000, 'a leader');
  const created = await call(first, 'POST', '/v1/query', { Name: 'kept', Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.suffix}' }, DNS: { TTL: '3s' } });
  t.is(created.status, 200, created.text);
  const before = await call(first, 'GET', '/v1/query');
  await first.stop();
  const second = await startAgent(scope, { durable: true, dataDir, node });
  await eventually(async () => (await call(second, 'GET', '/v1/query')).status === 200, 30_000, 'the restarted server to answer');
  const after = await call(second, 'GET', '/v1/query');
  t.deepEqual(after.json(), before.json());
  const explain = await call(second, 'GET', '/v1/query/keptweb/explain');
  t.is(explain.json<{ Query: { Service: { Service: string } } }>().Query.Service.Service, 'web');
  await second.stop();
});
