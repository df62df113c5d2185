import { execFile } from 'node:child_process';
import test from 'ava';
import { concord } from './_agent.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { FAST_WAN, wanNames } from './_wan.js';

function dig(port: number, name: string, qtype: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', '+short', name, qtype], { timeout: 10_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(String(stdout).trim().split('\n').filter(Boolean).sort());
    });
  });
}

test('translate_wan_addrs: HTTP and DNS answers about another datacenter carry its WAN addresses and ports; local answers and agents without it keep the LAN ones', async (t) => {
  const c = new ProcessCluster(t);
  const s1 = await c.startServer({ expect: 1, dns: true, config: { datacenter: 'dc1', translate_wan_addrs: true, ...FAST_WAN } });
  const s2 = await c.startServer({ expect: 1, dns: true, config: { datacenter: 'dc2', ...FAST_WAN } });
  const client = await c.startClient({ join: s1, config: { datacenter: 'dc1', translate_wan_addrs: true } });
  const plainClient = await c.startClient({ join: s1, config: { datacenter: 'dc1' } });
  // A dc2 agent whose WAN address is not its LAN one (-advertise-wan on a client agent).
  const natted = await c.startClient({ join: s2, config: { datacenter: 'dc2', advertise_addr_wan: '203.0.113.9' } });
  await c.waitForLeader([s1]);
  await c.waitForLeader([s2]);
  t.is((await concord(['join', '-wan', `127.0.0.1:${s1.serfWanPort}`], httpAddr(s2))).code, 0);
  await until(async () => (await wanNames(s1)).length === 2, 30_000, 'the WAN pool to form');

  const ext = {
    Datacenter: 'dc2',
    Node: 'ext',
    Address: '10.2.0.5',
    TaggedAddresses: { lan: '10.2.0.5', wan: '198.51.100.5' },
    Service: { ID: 'web', Service: 'web', Address: '10.2.0.6', Port: 443, TaggedAddresses: { wan: { Address: '198.51.100.6', Port: 8443 } } },
    Check: { CheckID: 'web', Name: 'web', ServiceID: 'web', Status: 'passing' },
  };
  const reg = await getText(httpAddr(s1), '/v1/catalog/register', { method: 'PUT', body: JSON.stringify(ext) });
  t.is(reg.status, 200, reg.text);
  // The same kind of node in dc1: never translated.
  const here = { ...ext, Datacenter: 'dc1', Node: 'ext-here' };
  t.is((await getText(httpAddr(s1), '/v1/catalog/register', { method: 'PUT', body: JSON.stringify(here) })).status, 200);

  for (const agent of [s1, client]) {
    const addr = httpAddr(agent);
    const svc = await getText(addr, '/v1/catalog/service/web?dc=dc2');
    t.is(svc.headers.get('x-consul-translate-addresses'), 'true');
    const [entry] = JSON.parse(svc.text) as { Address: string; ServiceAddress: string; ServicePort: number; TaggedAddresses: Record<string, string> }[];
    t.deepEqual([entry?.Address, entry?.ServiceAddress, entry?.ServicePort], ['198.51.100.5', '198.51.100.6', 8443]);
    t.is(entry?.TaggedAddresses.lan, '10.2.0.5', 'the tagged addresses themselves are kept');
    // Compressed answers are translated too.
    const gz = await getText(addr, '/v1/health/service/web?dc=dc2', { headers: { 'Accept-Encoding': 'gzip' } });
    const [h] = JSON.parse(gz.text) as { Node: { Address: string }; Service: { Address: string; Port: number } }[];
    t.deepEqual([h?.Node.Address, h?.Service.Address, h?.Service.Port], ['198.51.100.5', '198.51.100.6', 8443]);
    const nodes = JSON.parse((await getText(addr, '/v1/catalog/nodes?dc=dc2&pretty')).text) as { Node: string; Address: string }[];
    t.is(nodes.find((n) => n.Node === 'ext')?.Address, '198.51.100.5');
    const node = JSON.parse((await getText(addr, '/v1/catalog/node/ext?dc=dc2')).text) as {
      Node: { Address: string };
      Services: Record<string, { Address: string; Port: number }>;
    };
    t.deepEqual([node.Node.Address, node.Services.web?.Address, node.Services.web?.Port], ['198.51.100.5', '198.51.100.6', 8443]);
    // This datacenter's answers keep their LAN addresses, and still say translation is on.
    const local = await getText(addr, '/v1/catalog/service/web');
    t.is(local.headers.get('x-consul-translate-addresses'), 'true');
    const [l] = JSON.parse(local.text) as { Address: string; ServiceAddress: string; ServicePort: number }[];
    t.deepEqual([l?.Address, l?.ServiceAddress, l?.ServicePort], ['10.2.0.5', '10.2.0.6', 443]);
  }
  // A KV read says translation is on too.
  t.is((await getText(httpAddr(s1), '/v1/kv/nothing')).headers.get('x-consul-translate-addresses'), 'true');
  // A client agent without translate_wan_addrs gets dc2's LAN addresses, though its server translates its own answers.
  const untranslated = await getText(httpAddr(plainClient), '/v1/catalog/service/web?dc=dc2');
  t.is(untranslated.headers.get('x-consul-translate-addresses'), null);
  t.deepEqual(
    (JSON.parse(untranslated.text) as { Address: string; ServiceAddress: string; ServicePort: number }[]).map((e) => [e.Address, e.ServiceAddress, e.ServicePort]),
    [['10.2.0.5', '10.2.0.6', 443]],
  );
  // dc2's own server has no translate_wan_addrs: LAN addresses, no header.
  const plain = await getText(httpAddr(s2), '/v1/catalog/service/web');
  t.is(plain.headers.get('x-consul-translate-addresses'), null);
  t.is((JSON.parse(plain.text) as { ServiceAddress: string }[])[0]?.ServiceAddress, '10.2.0.6');
  // ... and neither when dc1 reads through it.
  const via2 = JSON.parse((await getText(httpAddr(s2), '/v1/catalog/service/web?dc=dc2')).text) as { ServiceAddress: string }[];
  t.is(via2[0]?.ServiceAddress, '10.2.0.6');

  // A prepared query that fails over to dc2 answers with dc2's WAN addresses.
  t.is((await getText(httpAddr(s1), '/v1/catalog/deregister', { method: 'PUT', body: JSON.stringify({ Node: 'ext-here' }) })).status, 200);
  const q = await getText(httpAddr(s1), '/v1/query', { method: 'POST', body: JSON.stringify({ Name: 'web', Service: { Service: 'web', Failover: { Datacenters: ['dc2'] } } }) });
  t.is(q.status, 200, q.text);
  const exec = JSON.parse((await getText(httpAddr(client), '/v1/query/web/execute')).text) as {
    Datacenter: string;
    Nodes: { Node: { Address: string }; Service: { Address: string; Port: number } }[];
  };
  t.is(exec.Datacenter, 'dc2');
  t.deepEqual([exec.Nodes[0]?.Node.Address, exec.Nodes[0]?.Service.Address, exec.Nodes[0]?.Service.Port], ['198.51.100.5', '198.51.100.6', 8443]);

  // DNS: A and SRV records of dc2's names use the WAN address and port; dc2's own DNS does not.
  t.deepEqual(await dig(s1.dnsPort, 'web.service.dc2.consul', 'A'), ['198.51.100.6']);
  t.deepEqual(
    (await dig(s1.dnsPort, 'web.service.dc2.consul', 'SRV')).map((r) => r.split(' ')[2]),
    ['8443'],
  );
  t.deepEqual(await dig(s1.dnsPort, 'ext.node.dc2.consul', 'A'), ['198.51.100.5']);
  t.deepEqual(await dig(s1.dnsPort, 'web.query.consul', 'A'), ['198.51.100.6']);
  t.deepEqual(await dig(s2.dnsPort, 'web.service.consul', 'A'), ['10.2.0.6']);
  t.deepEqual(await dig(s2.dnsPort, 'ext.node.consul', 'A'), ['10.2.0.5']);
  // An agent's own node carries -advertise-wan as its wan tagged address.
  const natNode = await until(
    async () => {
      const r = await getText(httpAddr(s2), `/v1/catalog/node/${natted.name}`);
      return r.text !== 'null' ? (JSON.parse(r.text) as { Node: { Address: string; TaggedAddresses: Record<string, string> } }).Node : undefined;
    },
    20_000,
    'the dc2 client agent in its catalog',
  );
  t.deepEqual([natNode.Address, natNode.TaggedAddresses.wan, natNode.TaggedAddresses.lan], ['127.0.0.1', '203.0.113.9', '127.0.0.1']);
  t.deepEqual(await dig(s1.dnsPort, `${natted.name}.node.dc2.consul`, 'A'), ['203.0.113.9']);
  t.deepEqual(await dig(s2.dnsPort, `${natted.name}.node.consul`, 'A'), ['127.0.0.1']);
});
