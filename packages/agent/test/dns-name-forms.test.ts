import test from 'ava';

import { type Fixture, data, decode, digTest, dig, dns2Clients, startFixture } from './_dns-helpers.js';

function worked(f: Fixture): void {
  // Consul's documented `web.service.consul SRV` example: web1 on node1 without an address, web2 on node2 with its own address
  f.register({
    Node: 'node1',
    Address: '10.0.0.11',
    NodeMeta: { 'consul-network-segment': '' },
    Service: { ID: 'web1', Service: 'web', Port: 80, Tags: ['v1', 'http'] },
  });
  f.register({
    Node: 'node2',
    Address: '10.0.0.2',
    NodeMeta: { 'consul-network-segment': '', rack: 'r1=a' },
    Service: { ID: 'web2', Service: 'web', Address: '10.0.0.12', Port: 8080, Tags: ['v2'] },
  });
  f.register({ Node: 'srv1', Address: '127.0.0.5', Service: { ID: 'consul', Service: 'consul', Port: 8300 } });
  f.register({ Node: 'six', Address: 'fd00::6', Service: { ID: 'v6', Service: 'v6svc', Port: 99 } });
}

digTest('an SRV query answers priority 1, weight, port and node or addr targets with glue', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const r = await dig(f.port, 'web.service.consul', 'SRV');
  t.is(r.status, 'NOERROR');
  t.true(r.flags.includes('aa'));
  t.false(r.flags.includes('ra'));
  t.deepEqual(data(r.answer, 'SRV'), ['1 1 80 node1.node.dc1.consul.', '1 1 8080 0a00000c.addr.dc1.consul.']);
  t.true(r.answer.every((rr) => rr.ttl === 0));
  const glue = Object.fromEntries(r.additional.filter((x) => x.type === 'A').map((x) => [x.name, x.data]));
  t.deepEqual(glue, { 'node1.node.dc1.consul.': '10.0.0.11', '0a00000c.addr.dc1.consul.': '10.0.0.12' });
  t.true(r.additional.some((x) => x.type === 'TXT' && x.name === 'node1.node.dc1.consul.' && x.data === '"consul-network-segment="'));
});

digTest('an A query on a service returns each instance address under the question name', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const r = await dig(f.port, 'web.service.consul', 'A');
  t.is(r.status, 'NOERROR');
  t.deepEqual(data(r.answer, 'A'), ['10.0.0.11', '10.0.0.12']);
  t.true(r.answer.every((x) => x.name === 'web.service.consul.'));
  t.is(r.additional.length, 0);
  const dc = await dig(f.port, 'web.service.dc1.consul');
  t.deepEqual(data(dc.answer, 'A'), ['10.0.0.11', '10.0.0.12']);
  const canonical = await dig(f.port, 'web.service.dc1.dc.consul');
  t.deepEqual(data(canonical.answer, 'A'), ['10.0.0.11', '10.0.0.12']);
});

digTest('names are case-insensitive and the answer keeps the question case', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const r = await dig(f.port, 'WEB.Service.CONSUL', 'A');
  t.is(r.status, 'NOERROR');
  t.deepEqual(data(r.answer, 'A'), ['10.0.0.11', '10.0.0.12']);
  t.regex(r.raw, /WEB\.Service\.CONSUL\.\s+0\s+IN\s+A/);
  const node = await dig(f.port, 'NODE1.node.consul');
  t.deepEqual(data(node.answer, 'A'), ['10.0.0.11']);
});

digTest('a tag label filters instances and RFC 2782 names map _tcp to no filter', async (t) => {
  const f = await startFixture(t);
  worked(f);
  t.deepEqual(data((await dig(f.port, 'v1.web.service.consul')).answer, 'A'), ['10.0.0.11']);
  t.deepEqual(data((await dig(f.port, 'V2.web.service.consul')).answer, 'A'), ['10.0.0.12']);
  t.is((await dig(f.port, 'v9.web.service.consul')).status, 'NXDOMAIN');
  const all = await dig(f.port, '_web._tcp.service.consul', 'SRV');
  t.deepEqual(
    data(all.answer, 'SRV').map((s) => s.split(' ')[2]),
    ['80', '8080'],
  );
  const tagged = await dig(f.port, '_web._http.service.consul', 'SRV');
  t.deepEqual(data(tagged.answer, 'SRV'), ['1 1 80 node1.node.dc1.consul.']);
  // for SRV questions the `service` label may be left out
  const short = await dig(f.port, '_web._v2.consul', 'SRV');
  t.deepEqual(data(short.answer, 'SRV'), ['1 1 8080 0a00000c.addr.dc1.consul.']);
});

digTest('node lookups answer A, TXT, ANY and leave other types empty without an SOA', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const a = await dig(f.port, 'node2.node.consul');
  t.deepEqual(data(a.answer, 'A'), ['10.0.0.2']);
  t.deepEqual(data(a.additional, 'TXT'), ['"consul-network-segment="', '"rack=r1=a"']);
  const txt = await dig(f.port, 'node2.node.dc1.consul', 'TXT');
  t.is(txt.answer.length, 2);
  t.true(txt.answer.every((x) => x.type === 'TXT'));
  const any = await dig(f.port, 'node2.node.consul', 'ANY');
  t.deepEqual(any.answer.map((x) => x.type).sort(), ['A', 'TXT', 'TXT']);
  const mx = await dig(f.port, 'node2.node.consul', 'MX');
  t.is(mx.status, 'NOERROR');
  t.is(mx.answer.length, 0);
  t.is(mx.authority.length, 0);
  const six = await dig(f.port, 'six.node.consul', 'AAAA');
  t.deepEqual(data(six.answer, 'AAAA'), ['fd00::6']);
});

digTest('addr names decode hex IPv4 and IPv6 addresses', async (t) => {
  const f = await startFixture(t);
  const v4 = await dig(f.port, '0a00000c.addr.dc1.consul');
  t.deepEqual(data(v4.answer, 'A'), ['10.0.0.12']);
  const v6 = await dig(f.port, 'fd000000000000000000000000000006.addr.consul', 'AAAA');
  t.deepEqual(data(v6.answer, 'AAAA'), ['fd00::6']);
  t.is((await dig(f.port, 'zz00000c.addr.consul')).status, 'NXDOMAIN');
});

digTest('unknown names, nodes, services and datacenters are NXDOMAIN with the SOA', async (t) => {
  const f = await startFixture(t);
  worked(f);
  for (const name of ['nope.service.consul', 'nope.node.consul', 'web.service.dc2.consul', 'node1.node.dc2.consul', 'foo.consul', 'x.bogus.consul', 'consul']) {
    const r = await dig(f.port, name);
    t.is(r.status, 'NXDOMAIN', name);
    t.is(r.answer.length, 0, name);
    t.regex(r.authority[0]?.data ?? '', /^ns\.consul\. hostmaster\.consul\. \d+ 3600 600 86400 0$/, name);
  }
});

digTest('the wrong address family on a service is NOERROR with an empty answer and the SOA', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const r = await dig(f.port, 'web.service.consul', 'AAAA');
  t.is(r.status, 'NOERROR');
  t.is(r.answer.length, 0);
  t.is(r.authority[0]?.type, 'SOA');
  const v6 = await dig(f.port, 'v6svc.service.consul', 'AAAA');
  t.deepEqual(data(v6.answer, 'AAAA'), ['fd00::6']);
  const srv = await dig(f.port, 'v6svc.service.consul', 'SRV');
  t.is(srv.additional.find((x) => x.type === 'AAAA')?.data, 'fd00::6');
});

digTest('SOA and NS questions name the servers with their addresses as glue', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const soa = await dig(f.port, 'consul', 'SOA');
  t.is(soa.status, 'NOERROR');
  t.is(soa.answer[0]?.type, 'SOA');
  t.deepEqual(data(soa.authority, 'NS'), ['srv1.node.dc1.consul.']);
  t.deepEqual(data(soa.additional, 'A'), ['127.0.0.5']);
  const ns = await dig(f.port, 'consul', 'NS');
  t.deepEqual(data(ns.answer, 'NS'), ['srv1.node.dc1.consul.']);
  t.is(ns.additional.find((x) => x.type === 'A')?.name, 'srv1.node.dc1.consul.');
});

digTest('names outside the domain are REFUSED without recursors', async (t) => {
  const f = await startFixture(t);
  const r = await dig(f.port, 'google.com');
  t.is(r.status, 'REFUSED');
  t.false(r.flags.includes('aa'));
});

digTest('answers under the alternate domain use that domain', async (t) => {
  const f = await startFixture(t, { altDomain: 'test-domain.' });
  worked(f);
  const r = await dig(f.port, 'web.service.test-domain', 'SRV');
  t.true(data(r.answer, 'SRV').includes('1 1 80 node1.node.dc1.test-domain.'));
  const nx = await dig(f.port, 'nope.service.test-domain');
  t.regex(nx.authority[0]?.data ?? '', /^ns\.test-domain\. hostmaster\.test-domain\./);
  t.deepEqual(data((await dig(f.port, 'web.service.consul')).answer, 'A'), ['10.0.0.11', '10.0.0.12']);
});

test('dns2 clients decode UDP and TCP answers the same way', async (t) => {
  const f = await startFixture(t);
  worked(f);
  const { udp, tcp } = dns2Clients(f.port);
  for (const client of [udp, tcp]) {
    const res = decode((await client('web.service.consul', 'SRV')).toBuffer());
    t.is(res.rcode, 0);
    t.is(res.aa, 1);
    t.deepEqual(res.answers.map((a) => a.port).sort(), [80, 8080]);
    t.deepEqual(
      res.additionals
        .filter((a) => a.type === 1)
        .map((a) => `${a.name} ${a.address}`)
        .sort(),
      ['0a00000c.addr.dc1.consul 10.0.0.12', 'node1.node.dc1.consul 10.0.0.11'],
    );
  }
});

digTest('service TTLs follow service_ttl with exact names beating prefixes, node TTLs node_ttl', async (t) => {
  const f = await startFixture(t, { config: { serviceTtl: { '*': 5, 'we*': 7, web: 30 }, nodeTtl: 10 } });
  worked(f);
  f.register({ Node: 'node3', Address: '10.0.0.3', Service: { ID: 'west', Service: 'west', Port: 1 } });
  f.register({ Node: 'node4', Address: '10.0.0.4', Service: { ID: 'db', Service: 'db', Port: 1 } });
  t.true((await dig(f.port, 'web.service.consul')).answer.every((x) => x.ttl === 30));
  t.true((await dig(f.port, 'west.service.consul')).answer.every((x) => x.ttl === 7));
  t.true((await dig(f.port, 'db.service.consul')).answer.every((x) => x.ttl === 5));
  t.is((await dig(f.port, 'node3.node.consul')).answer[0]?.ttl, 10);
});
