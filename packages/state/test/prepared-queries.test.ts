import test from 'ava';
import type { PreparedQuery } from '../src/index.js';
import { StateStore, emptyPreparedQuery } from '../src/index.js';
import { Harness, watchCount } from './_helpers.js';

let ids = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

function query(over: Partial<PreparedQuery> & { service?: Partial<PreparedQuery['Service']> } = {}): PreparedQuery {
  const { service, ...rest } = over;
  const base = emptyPreparedQuery(nextId());
  return { ...base, ...rest, Service: { ...base.Service, Service: 'web', ...service } };
}

const template = (name: string, service: Partial<PreparedQuery['Service']>, regexp = '', removeEmpty = false) =>
  query({ Name: name, Template: { Type: 'name_prefix_match', Regexp: regexp, RemoveEmptyTags: removeEmpty }, service });

function create(h: Harness, q: PreparedQuery): string {
  const r = h.apply({ type: 'query-set', op: 'create', query: q });
  if (r.error) throw r.error;
  return q.ID;
}

const errorOf = (h: Harness, q: PreparedQuery, op: 'create' | 'update' = 'create') => h.apply({ type: 'query-set', op, query: q }).error?.message;

test('a created query is read by ID and listed; the table index and its watchers move', (t) => {
  const h = new Harness();
  const w = watchCount(h.store, h.store.preparedQueries().topics);
  const id = create(h, query({ Name: 'web', DNS: { TTL: '10s' } }));
  t.is(w.fired(), 1);
  const got = h.store.preparedQuery(id).value as PreparedQuery;
  t.is(got.CreateIndex, h.index);
  t.is(got.ModifyIndex, h.index);
  t.is(got.DNS.TTL, '10s');
  t.is(h.store.preparedQueries().index, h.index);
  t.deepEqual(h.store.preparedQueries().value, [got]);
});

test('an update replaces the definition; a delete removes it; both need the query to exist', (t) => {
  const h = new Harness();
  const q = query({ Name: 'web' });
  create(h, q);
  const created = h.index;
  t.is(h.apply({ type: 'query-set', op: 'update', query: { ...q, Service: { ...q.Service, Service: 'api' } } }).error, undefined);
  const got = h.store.preparedQuery(q.ID).value as PreparedQuery;
  t.is(got.Service.Service, 'api');
  t.is(got.CreateIndex, created);
  t.is(got.ModifyIndex, h.index);
  t.is(errorOf(h, query({ Name: 'x' }), 'update')?.startsWith('Cannot modify non-existent prepared query'), true);
  t.is(errorOf(h, q, 'create'), `Prepared query ID '${q.ID}' already in use`);
  t.is(h.apply({ type: 'query-delete', id: q.ID }).error, undefined);
  t.is(h.store.preparedQuery(q.ID).value, undefined);
  t.is(h.store.preparedQueries().index, h.index);
  t.is(h.apply({ type: 'query-delete', id: q.ID }).error?.code, 'STATE_UNKNOWN_QUERY');
});

test('names are unique case-insensitively, may not alias an ID, and only one catch-all template exists', (t) => {
  const h = new Harness();
  const first = query({ Name: 'Web' });
  create(h, first);
  t.is(errorOf(h, query({ Name: 'web' })), "name 'web' aliases an existing query name");
  t.is(errorOf(h, query({ Name: first.ID })), `name '${first.ID}' aliases an existing query ID`);
  create(h, template('', { Service: '${name.full}' }));
  t.is(errorOf(h, template('', { Service: 'x' })), 'a query template with an empty name already exists');
  t.is(errorOf(h, query({ Session: 'nope' })), 'invalid session "nope"');
});

test('templates are compiled on write: bad types, syntax, variables and regexps are refused', (t) => {
  const h = new Harness();
  t.is(errorOf(h, query({ Name: 'a', Template: { Type: 'bogus', Regexp: '', RemoveEmptyTags: false } })), "failed compiling template: Bad Template.Type 'bogus'");
  t.regex(errorOf(h, template('b', { Service: '${name.full' })) ?? '', /^failed compiling template: Bad format '\$\{name.full' in Service.Service: /);
  t.is(errorOf(h, template('c', { Service: '${name.bogus}' })), "failed compiling template: Bad format '${name.bogus}' in Service.Service: unknown variable accessed: name.bogus");
  t.is(errorOf(h, template('d', { Service: 'x' }, 'a(b')), 'failed compiling template: Bad Regexp: error parsing regexp: missing closing ): `a(b`');
  t.is(h.store.preparedQueries().value.length, 0);
});

test('resolution: an ID, then an exact name, then the longest template prefix, rendered for the name', (t) => {
  const h = new Harness();
  const plain = query({ Name: 'geo-db' });
  create(h, plain);
  const catchAll = template('', { Service: '${name.full}' });
  create(h, catchAll);
  create(h, template('geo-', { Service: 'short-${name.suffix}' }));
  create(h, template('geo-db-', { Service: 'mysql-${match(1)}', Tags: ['${match(2)}', '${name.prefix}', '${agent.segment}', 'lit'] }, '^geo-db-(.*?)-([^\\-]+?)$', true));
  const resolve = (name: string) => h.store.resolvePreparedQuery(name, { Segment: 'seg1' }).value;
  t.is(resolve(plain.ID)?.ID, plain.ID);
  t.is(resolve('GEO-DB')?.ID, plain.ID, 'an exact name wins over templates, case-insensitively');
  const rendered = resolve('geo-db-customer-primary') as PreparedQuery;
  t.is(rendered.Service.Service, 'mysql-customer');
  t.deepEqual(rendered.Service.Tags, ['primary', 'geo-db-', 'seg1', 'lit']);
  t.is(resolve('geo-x')?.Service.Service, 'short-x');
  t.is(resolve('anything')?.Service.Service, 'anything', 'the empty-name template catches everything else');
  t.is(resolve('geo-db-nomatch')?.Service.Service, 'mysql-', 'no regexp match renders match(N) empty');
  t.deepEqual(resolve('geo-db-nomatch')?.Service.Tags, ['geo-db-', 'seg1', 'lit'], 'RemoveEmptyTags drops the empty tag');
  t.throws(() => h.store.resolvePreparedQuery(catchAll.ID), { message: 'prepared query templates can only be resolved up by name, not by ID' });
  // the stored template itself is untouched by rendering
  t.is(h.store.preparedQuery(catchAll.ID).value?.Service.Service, '${name.full}');
});

test('without a catch-all, an unknown name resolves to nothing', (t) => {
  const h = new Harness();
  create(h, query({ Name: 'web' }));
  t.is(h.store.resolvePreparedQuery('api').value, undefined);
  t.throws(() => h.store.resolvePreparedQuery(''), { message: 'Missing Query ID' });
});

test('a query bound to a session dies with it', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  h.session('11111111-1111-4111-8111-111111111111', 'n1');
  const q = query({ Session: '11111111-1111-4111-8111-111111111111' });
  create(h, q);
  const w = watchCount(h.store, h.store.preparedQueries().topics);
  h.apply({ type: 'session-destroy', id: '11111111-1111-4111-8111-111111111111' });
  t.is(h.store.preparedQuery(q.ID).value, undefined);
  t.is(w.fired(), 1);
  t.is(h.store.preparedQueries().index, h.index);
});

test('instances are selected by health (OnlyPassing, IgnoreCheckIDs), node and service meta, and tags with !exclusions', (t) => {
  const h = new Harness();
  const reg = (node: string, tags: string[], status: 'passing' | 'warning' | 'critical', meta: Record<string, string> = {}) =>
    h.apply({
      type: 'register',
      reg: {
        Node: node,
        Address: '10.0.0.1',
        NodeMeta: { rack: node.endsWith('1') ? 'a' : 'b' },
        Service: { ID: 'web', Service: 'web', Tags: tags, Port: 80, Meta: meta },
        Checks: [{ CheckID: 'svc', Name: 'svc', ServiceID: 'web', Status: status }],
      },
    });
  reg('n1', ['v1', 'primary'], 'passing', { env: 'prod' });
  reg('n2', ['v1'], 'warning', { env: 'prod' });
  reg('n3', ['v1', 'canary'], 'critical');
  const nodes = (service: Partial<PreparedQuery['Service']>) =>
    h.store
      .preparedQueryNodes(query({ service }))
      .value.map((e) => e.Node.Node)
      .sort();
  t.deepEqual(nodes({}), ['n1', 'n2']);
  t.deepEqual(nodes({ OnlyPassing: true }), ['n1']);
  t.deepEqual(nodes({ IgnoreCheckIDs: ['svc'] }), ['n1', 'n2', 'n3']);
  t.deepEqual(nodes({ IgnoreCheckIDs: ['svc'], Tags: ['V1', '!canary'] }), ['n1', 'n2']);
  t.deepEqual(nodes({ Tags: ['primary'] }), ['n1']);
  t.deepEqual(nodes({ NodeMeta: { rack: 'b' } }), ['n2']);
  t.deepEqual(nodes({ ServiceMeta: { env: 'prod' }, IgnoreCheckIDs: ['svc'] }), ['n1', 'n2']);
  t.deepEqual(nodes({ Service: 'WEB' }), ['n1', 'n2'], 'the service name matches case-insensitively');
});

test('queries travel in snapshots and come back with working templates', (t) => {
  const h = new Harness();
  const q = template('geo-', { Service: '${name.suffix}' });
  create(h, q);
  const copy = new StateStore({ datacenter: 'dc1' });
  copy.restore(JSON.parse(h.store.snapshotJson()));
  t.deepEqual(copy.preparedQueries().value, h.store.preparedQueries().value);
  t.is(copy.preparedQueries().index, h.store.preparedQueries().index);
  t.is(copy.resolvePreparedQuery('geo-web').value?.Service.Service, 'web');
  const old = JSON.parse(h.store.snapshotJson());
  delete old.queries;
  copy.restore(old);
  t.deepEqual(copy.preparedQueries().value, []);
});

test('a rejected write leaves no trace (replicas stay identical)', (t) => {
  const a = new Harness();
  const b = new Harness();
  const q = query({ Name: 'web' });
  for (const h of [a, b]) {
    create(h, q);
    errorOf(h, { ...query({ Name: 'web' }) });
    errorOf(h, template('t', { Service: '${bad}' }));
  }
  t.is(a.store.snapshotJson(), b.store.snapshotJson());
  t.is(a.store.preparedQueries().value.length, 1);
});
