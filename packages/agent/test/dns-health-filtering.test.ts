import test from 'ava';

import type { HealthStatus } from '@concord/state';

import { type Fixture, data, digTest, dig, startFixture } from './_dns-helpers.js';

function instance(f: Fixture, node: string, ip: string, status: HealthStatus, nodeStatus: HealthStatus = 'passing'): void {
  f.register({
    Node: node,
    Address: ip,
    Service: { ID: 'api', Service: 'api', Port: 9000, Weights: { Passing: 10, Warning: 2 } },
    Checks: [
      { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: nodeStatus },
      { CheckID: 'service:api', Name: "Service 'api' check", ServiceID: 'api', Status: status },
    ],
  });
}

digTest('critical instances are never answered and warning ones are, with their warning weight', async (t) => {
  const f = await startFixture(t);
  instance(f, 'ok', '10.0.0.1', 'passing');
  instance(f, 'warn', '10.0.0.2', 'warning');
  instance(f, 'sick', '10.0.0.3', 'critical');
  instance(f, 'dead', '10.0.0.4', 'passing', 'critical');
  const a = await dig(f.port, 'api.service.consul');
  t.deepEqual(data(a.answer, 'A'), ['10.0.0.1', '10.0.0.2']);
  const srv = await dig(f.port, 'api.service.consul', 'SRV');
  t.deepEqual(data(srv.answer, 'SRV'), ['1 10 9000 ok.node.dc1.consul.', '1 2 9000 warn.node.dc1.consul.']);
});

digTest('only_passing drops warning instances too', async (t) => {
  const f = await startFixture(t, { config: { onlyPassing: true } });
  instance(f, 'ok', '10.0.0.1', 'passing');
  instance(f, 'warn', '10.0.0.2', 'warning');
  t.deepEqual(data((await dig(f.port, 'api.service.consul')).answer, 'A'), ['10.0.0.1']);
});

digTest('a service flipping to critical disappears from answers, then NXDOMAIN once none is healthy', async (t) => {
  const f = await startFixture(t);
  instance(f, 'one', '10.0.0.1', 'passing');
  instance(f, 'two', '10.0.0.2', 'passing');
  t.deepEqual(data((await dig(f.port, 'api.service.consul')).answer, 'A'), ['10.0.0.1', '10.0.0.2']);
  instance(f, 'two', '10.0.0.2', 'critical');
  t.deepEqual(data((await dig(f.port, 'api.service.consul')).answer, 'A'), ['10.0.0.1']);
  instance(f, 'one', '10.0.0.1', 'passing', 'critical'); // serfHealth failing
  const none = await dig(f.port, 'api.service.consul');
  t.is(none.status, 'NXDOMAIN');
  t.is(none.authority[0]?.type, 'SOA');
  t.regex(none.authority[0]?.data ?? '', /^ns\.consul\. hostmaster\.consul\./);
  instance(f, 'two', '10.0.0.2', 'passing');
  t.deepEqual(data((await dig(f.port, 'api.service.consul')).answer, 'A'), ['10.0.0.2']);
});

digTest('a deregistered node stops being answered', async (t) => {
  const f = await startFixture(t);
  instance(f, 'one', '10.0.0.1', 'passing');
  t.is((await dig(f.port, 'one.node.consul')).status, 'NOERROR');
  f.deregister('one');
  t.is((await dig(f.port, 'one.node.consul')).status, 'NXDOMAIN');
  t.is((await dig(f.port, 'api.service.consul')).status, 'NXDOMAIN');
});

test('duplicate addresses across instances are answered once', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'a', Address: '10.0.0.9', Service: { ID: 'x1', Service: 'x', Port: 1 } });
  f.register({ Node: 'a', Address: '10.0.0.9', Service: { ID: 'x2', Service: 'x', Port: 2 } });
  f.register({ Node: 'b', Address: '10.0.0.7', Service: { ID: 'x3', Service: 'x', Address: '10.0.0.9', Port: 3 } });
  const { decode, udpExchange, buildQuery } = await import('./_dns-helpers.js');
  const a = decode((await udpExchange(f.port, buildQuery('x.service.consul', 'A'))) as Buffer);
  t.deepEqual(
    a.answers.map((r) => r.address),
    ['10.0.0.9'],
  );
  const srv = decode((await udpExchange(f.port, buildQuery('x.service.consul', 'SRV', { edns: 4096 }))) as Buffer);
  t.is(srv.answers.length, 3);
});
