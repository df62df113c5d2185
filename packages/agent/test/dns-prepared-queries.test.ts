import test from 'ava';
import { type PreparedQuery, emptyPreparedQuery } from '@concord/state';

import { type Fixture, buildQuery, data, decode, dig, digTest, registerMany, startFixture, udpExchange } from './_dns-helpers.js';

let ids = 0;

/** Stores a prepared query in the fixture's state, as a committed write would. */
function addQuery(f: Fixture, over: { Name?: string; Service?: Partial<PreparedQuery['Service']>; TTL?: string; Template?: PreparedQuery['Template'] }): string {
  const ID = `00000000-0000-4000-9000-${String(++ids).padStart(12, '0')}`;
  const base = emptyPreparedQuery(ID);
  const query: PreparedQuery = {
    ...base,
    Name: over.Name ?? '',
    Template: over.Template ?? base.Template,
    Service: { ...base.Service, Service: 'web', ...over.Service },
    DNS: { TTL: over.TTL ?? '' },
  };
  const r = f.state.apply(f.state.lastIndex + 1, { type: 'query-set', op: 'create', query });
  if (r.error) throw r.error;
  return ID;
}

digTest("<name>.query.consul answers A, SRV and TXT with the query's TTL; <name>.query.<dc>.consul and RFC 2782 names too", async (t) => {
  const f = await startFixture(t);
  const ips = registerMany(f, 'web', 3);
  const id = addQuery(f, { Name: 'front', TTL: '30s' });
  const a = await dig(f.port, 'front.query.consul', 'A');
  t.is(a.status, 'NOERROR');
  t.true(a.flags.includes('aa'));
  t.deepEqual(data(a.answer, 'A'), [...ips].sort());
  t.true(a.answer.every((r) => r.ttl === 30 && r.name === 'front.query.consul.'));
  const srv = await dig(f.port, 'front.query.dc1.consul', 'SRV');
  t.deepEqual(data(srv.answer, 'SRV'), ['1 1 8000 web-node-0.node.dc1.consul.', '1 1 8001 web-node-1.node.dc1.consul.', '1 1 8002 web-node-2.node.dc1.consul.']);
  t.true(srv.answer.every((r) => r.ttl === 30));
  t.deepEqual(data(srv.additional, 'A'), [...ips].sort());
  const txt = await dig(f.port, 'front.query.consul', 'TXT');
  t.deepEqual(data(txt.answer, 'A'), [...ips].sort(), 'a TXT question is answered with address records, as for services');
  const rfc = await dig(f.port, '_front._tcp.query.consul', 'SRV');
  t.is(rfc.answer.length, 3);
  t.is((await dig(f.port, `${id}.query.consul`, 'A')).answer.length, 3, 'by ID too');
  t.is((await dig(f.port, 'FRONT.query.consul', 'A')).answer.length, 3, 'names are case-insensitive');
});

digTest('AAAA, NODATA, unknown queries and other datacenters', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'v6', Address: '2001:db8::1', Service: { ID: 'six', Service: 'six', Port: 80 } });
  addQuery(f, { Name: 'six-q', Service: { Service: 'six' } });
  addQuery(f, { Name: 'web-q' });
  const aaaa = await dig(f.port, 'six-q.query.consul', 'AAAA');
  t.deepEqual(data(aaaa.answer, 'AAAA'), ['2001:db8::1']);
  const nodata = await dig(f.port, 'six-q.query.consul', 'A');
  t.is(nodata.status, 'NOERROR');
  t.is(nodata.answer.length, 0);
  t.is(nodata.authority[0]?.type, 'SOA');
  for (const name of ['nope.query.consul', 'six-q.query.dc2.consul', 'web-q.query.consul', 'six-q.query.dc1.dc.consul']) {
    const r = await dig(f.port, name, 'A');
    t.is(r.status, 'NXDOMAIN', name);
    t.is(r.authority[0]?.type, 'SOA');
  }
});

digTest('a query without a TTL uses service_ttl; its own health rules apply, not only_passing', async (t) => {
  const f = await startFixture(t, { config: { serviceTtl: { web: 5 }, onlyPassing: true } });
  f.register({
    Node: 'w1',
    Address: '10.2.0.1',
    Service: { ID: 'w', Service: 'web', Port: 80, Tags: ['blue'] },
    Checks: [{ CheckID: 'c', Name: 'c', ServiceID: 'w', Status: 'warning' }],
  });
  f.register({ Node: 'w2', Address: '10.2.0.2', Service: { ID: 'w', Service: 'web', Port: 80, Tags: ['green'] } });
  addQuery(f, { Name: 'all' });
  addQuery(f, { Name: 'not-blue', Service: { Tags: ['!blue'] } });
  const all = await dig(f.port, 'all.query.consul', 'A');
  t.deepEqual(data(all.answer, 'A'), ['10.2.0.1', '10.2.0.2']);
  t.true(all.answer.every((r) => r.ttl === 5));
  t.deepEqual(data((await dig(f.port, 'not-blue.query.consul', 'A')).answer, 'A'), ['10.2.0.2']);
  t.deepEqual(data((await dig(f.port, 'web.service.consul', 'A')).answer, 'A'), ['10.2.0.2'], 'only_passing still rules service lookups');
});

digTest('udp_answer_limit, a_record_limit and enable_truncate apply to query lookups', async (t) => {
  const f = await startFixture(t, { config: { udpAnswerLimit: 2, enableTruncate: true } });
  registerMany(f, 'web', 10);
  addQuery(f, { Name: 'many' });
  const plain = await dig(f.port, '+noedns', '+ignore', 'many.query.consul', 'A');
  t.is(plain.answer.length, 2);
  t.true(plain.flags.includes('tc'));
  t.is((await dig(f.port, '+tcp', 'many.query.consul', 'A')).answer.length, 10);
  const g = await startFixture(t, { config: { aRecordLimit: 4 } });
  registerMany(g, 'web', 10);
  addQuery(g, { Name: 'many' });
  t.is((await dig(g.port, '+tcp', 'many.query.consul', 'A')).answer.length, 4);
  t.is((await dig(g.port, 'many.query.consul', 'SRV')).answer.length, 10);
});

digTest('templates answer over DNS, rendered for the name asked', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'api', 2);
  addQuery(f, { Name: 'svc-', Template: { Type: 'name_prefix_match', Regexp: '', RemoveEmptyTags: false }, Service: { Service: '${name.suffix}' } });
  t.is((await dig(f.port, 'svc-api.query.consul', 'A')).answer.length, 2);
  t.is((await dig(f.port, 'svc-web.query.consul', 'A')).status, 'NXDOMAIN');
});

digTest('every SRV answer brings its own address record, even when instances share an address; address records come before node meta', async (t) => {
  const f = await startFixture(t);
  for (let i = 0; i < 3; i++) {
    f.register({ Node: 'host1', Address: '10.9.0.1', NodeMeta: { zone: 'a' }, Service: { ID: `app-${i}`, Service: 'app', Address: '127.0.0.1', Port: 9000 + i } });
  }
  addQuery(f, { Name: 'app-q', Service: { Service: 'app' } });
  for (const name of ['app.service.consul', 'app-q.query.consul']) {
    const r = await dig(f.port, name, 'SRV');
    t.is(r.answer.length, 3, name);
    t.deepEqual(new Set(r.answer.map((a) => a.data.split(' ')[3])), new Set(['7f000001.addr.dc1.consul.']));
    const glue = r.additional.filter((x) => x.type === 'A');
    t.is(glue.length, 3, `${name}: one A record per SRV answer`);
    t.true(glue.every((g) => g.name === '7f000001.addr.dc1.consul.' && g.data === '127.0.0.1'));
    const types = r.additional.map((x) => x.type).filter((x) => x !== 'OPT');
    t.deepEqual(types, ['A', 'A', 'A', 'TXT', 'TXT', 'TXT'], `${name}: every A record before the node meta TXT records`);
  }
});

test('a trimmed reply keeps one address record per distinct SRV target', async (t) => {
  const f = await startFixture(t);
  for (let i = 0; i < 6; i++) {
    f.register({ Node: 'host1', Address: '10.9.0.1', Service: { ID: `app-${i}`, Service: 'app', Address: '127.0.0.1', Port: 9000 + i } });
  }
  // without EDNS the answer is cut to 3: the additional section then holds the target once
  const d = decode((await udpExchange(f.port, buildQuery('app.service.consul', 'SRV'))) as Buffer);
  t.is(d.answers.length, 3);
  t.deepEqual(
    d.additionals.filter((a) => a.type === 1).map((a) => a.name),
    ['7f000001.addr.dc1.consul'],
  );
  // with room for everything nothing is trimmed: six SRV answers, six address records
  const full = decode((await udpExchange(f.port, buildQuery('app.service.consul', 'SRV', { edns: 4096 }))) as Buffer);
  t.is(full.answers.length, 6);
  t.is(full.additionals.filter((a) => a.type === 1).length, 6);
});

digTest('PTR lookups answer nodes first, then services registered with that address', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'n1', Address: '10.3.0.1', Service: { ID: 'db1', Service: 'db', Address: '10.3.0.9', Port: 5432 } });
  f.register({ Node: 'n2', Address: '10.3.0.9' });
  f.register({ Node: 'n3', Address: '10.3.0.2', Service: { ID: 'cache', Service: 'cache', Address: '10.3.0.20', Port: 6379 } });
  const node = await dig(f.port, '-x', '10.3.0.9');
  t.deepEqual(data(node.answer, 'PTR'), ['n2.node.dc1.consul.'], 'a node with the address wins');
  const svc = await dig(f.port, '-x', '10.3.0.20');
  t.is(svc.status, 'NOERROR');
  t.deepEqual(data(svc.answer, 'PTR'), ['cache.service.dc1.consul.']);
  t.is((await dig(f.port, '-x', '10.3.0.99')).status, 'NXDOMAIN');
});

digTest('Near "_ip" puts the node at the asking client\'s address first', async (t) => {
  const f = await startFixture(t);
  for (const [node, ip] of [
    ['far-1', '10.5.0.1'],
    ['here', '127.0.0.1'],
    ['far-2', '10.5.0.2'],
  ] as const) {
    f.register({ Node: node, Address: ip, Service: { ID: 'w', Service: 'web', Port: 80 } });
  }
  addQuery(f, { Name: 'by-ip', Service: { Near: '_ip' } });
  for (let i = 0; i < 6; i++) {
    const r = await dig(f.port, 'by-ip.query.consul', 'A');
    t.is(r.answer.length, 3);
    t.is(r.answer[0]?.data, '127.0.0.1');
  }
});
