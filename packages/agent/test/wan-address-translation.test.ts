import test from 'ava';
import { wanNodeAddress, wanServiceAddress, wanServicePort } from '../src/http/wan-address-translation.js';
import { translateInstances, translateNode } from '../src/dns/wan-translate.js';
import type { DnsNode, DnsServiceInstance } from '../src/dns/catalog.js';

test('HTTP: a node of another datacenter answers wan_ipv6, then wan_ipv4 (else lan_ipv4), then wan, then its address, as Consul accepts any family', (t) => {
  t.is(wanNodeAddress('10.0.0.1', { lan: '10.0.0.1', wan: '198.51.100.1' }), '198.51.100.1');
  t.is(wanNodeAddress('10.0.0.1', { lan_ipv4: '10.0.0.1', wan: '198.51.100.1' }), '10.0.0.1', 'a LAN IPv4 tag wins over the wan default, as in Consul');
  t.is(wanNodeAddress('10.0.0.1', { lan_ipv4: '10.0.0.1', wan_ipv4: '198.51.100.4', wan: '198.51.100.1' }), '198.51.100.4');
  t.is(wanNodeAddress('10.0.0.1', { wan_ipv6: '2001:db8::1', wan_ipv4: '198.51.100.4' }), '2001:db8::1');
  t.is(wanNodeAddress('10.0.0.1', {}), '10.0.0.1');
  t.is(wanNodeAddress('10.0.0.1', null), '10.0.0.1');
});

test('HTTP: a service of another datacenter answers its wan tagged address and port when it has them', (t) => {
  const tagged = { wan: { Address: '198.51.100.6', Port: 8443 } };
  t.is(wanServiceAddress('10.0.0.6', tagged), '198.51.100.6');
  t.is(wanServicePort(443, tagged), 8443);
  t.is(wanServicePort(443, { wan: { Address: '198.51.100.6', Port: 0 } }), 443, 'a wan address without a port keeps the port');
  t.is(wanServiceAddress('10.0.0.6', {}), '10.0.0.6');
  t.is(wanServiceAddress('', undefined), '');
  t.is(wanServiceAddress('10.0.0.6', { wan_ipv4: { Address: '198.51.100.7', Port: 0 } }), '198.51.100.7');
});

const node = (datacenter: string): DnsNode => ({
  name: 'n1',
  address: '10.0.0.1',
  datacenter,
  taggedAddresses: { lan: '10.0.0.1', lan_ipv4: '10.0.0.1', wan: '198.51.100.1', wan_ipv4: '198.51.100.1' },
  meta: {},
});
const instance = (datacenter: string): DnsServiceInstance => ({
  node: node(datacenter),
  serviceId: 'web',
  serviceName: 'web',
  address: '10.0.0.2',
  taggedAddresses: { wan: '198.51.100.2' },
  port: 80,
  wanPort: 8080,
  weights: { passing: 1, warning: 1 },
  status: 'passing',
});

test('DNS: only what belongs to another datacenter is translated, and only when translate_wan_addrs is on', (t) => {
  const [remote, local] = translateInstances([instance('dc2'), instance('dc1')], 'dc1', true);
  t.deepEqual([remote?.address, remote?.port, remote?.node.address, remote?.node.taggedAddresses.lan_ipv4], ['198.51.100.2', 8080, '198.51.100.1', '198.51.100.1']);
  t.deepEqual([local?.address, local?.port, local?.node.address], ['10.0.0.2', 80, '10.0.0.1']);
  t.is(translateInstances([instance('dc2')], 'dc1', false)[0]?.address, '10.0.0.2');
  t.is(translateNode(node('DC2'), 'dc1', true).address, '198.51.100.1');
  t.is(translateNode(node('dc1'), 'dc1', true).address, '10.0.0.1');
});
