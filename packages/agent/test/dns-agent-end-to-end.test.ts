import { call, eventually, startAgent } from './_agent.js';
import { data, dig, digTest } from './_dns-helpers.js';

const DNS_PORT_RE = /Client Addr: \[[^\]]*\] \(HTTP: \d+, HTTPS: -?\d+, gRPC: -?\d+, DNS: (\d+)\)/;

digTest('a real agent answers DNS for services registered over HTTP and drops them once critical', async (t) => {
  const agent = await startAgent(t, { extraArgs: ['-dns-port', '0'] });
  const m = DNS_PORT_RE.exec(agent.output());
  t.truthy(m, 'the banner prints the DNS port');
  const port = Number(m?.[1]);
  t.true(port > 0);

  const reg = await call(agent, 'PUT', '/v1/agent/service/register', {
    Name: 'web',
    ID: 'web1',
    Port: 8080,
    Address: '10.0.0.12',
    Tags: ['v1'],
    Check: { TTL: '60s', Status: 'passing' },
  });
  t.is(reg.status, 200);
  const srv = await eventually(
    async () => {
      const r = await dig(port, 'web.service.consul', 'SRV');
      return r.answer.length === 1 ? r : undefined;
    },
    5000,
    'web visible over DNS',
  );
  t.deepEqual(data(srv.answer, 'SRV'), ['1 1 8080 0a00000c.addr.dc1.consul.']);
  t.true(srv.flags.includes('aa'));
  t.is(srv.additional.find((x) => x.type === 'A')?.data, '10.0.0.12');
  t.deepEqual(data((await dig(port, 'v1.web.service.consul')).answer, 'A'), ['10.0.0.12']);
  t.deepEqual(data((await dig(port, `${agent.node}.node.consul`)).answer, 'A'), ['127.0.0.1']);
  t.deepEqual(data((await dig(port, '+tcp', '_web._tcp.service.consul', 'SRV')).answer, 'SRV'), ['1 1 8080 0a00000c.addr.dc1.consul.']);

  t.is((await call(agent, 'PUT', '/v1/agent/check/fail/service:web1?note=down')).status, 200);
  const gone = await eventually(
    async () => {
      const r = await dig(port, 'web.service.consul');
      return r.status === 'NXDOMAIN' ? r : undefined;
    },
    5000,
    'web gone from DNS',
  );
  t.is(gone.authority[0]?.type, 'SOA');
});
