import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError, type InterfaceFlag, type InterfaceTable, resolveAgentConfig } from '../src/index.js';
import { parseIpNet } from '../src/net/ip-address.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-config-addresses-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const LO: [string, InterfaceFlag[], string] = ['lo', ['up', 'loopback', 'running'], '127.0.0.1/8'];
const NIC: InterfaceFlag[] = ['up', 'broadcast', 'multicast', 'running'];

function table(...rows: [string, InterfaceFlag[], string][]): () => InterfaceTable {
  return () => ({
    defaultInterface: rows.find(([name]) => name !== 'lo')?.[0],
    addresses: rows.map(([name, flags, cidr]) => ({
      name,
      flags: new Set(flags),
      ip:
        parseIpNet(cidr) ??
        (() => {
          throw new Error(cidr);
        })(),
    })),
  });
}

const base = ['-server', '-bootstrap-expect=1', '-data-dir', dir];
let seq = 0;
function configFile(json: object): string {
  const path = join(dir, `c${++seq}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

test("bound to 0.0.0.0 with no -advertise, the agent advertises the host's one private IPv4 address", (t) => {
  const c = resolveAgentConfig(base, { interfaces: table(LO, ['eth0', NIC, '10.20.30.40/24'], ['eth0', NIC, 'fe80::1/64']) });
  t.is(c.bindAddr, '0.0.0.0');
  t.is(c.advertiseAddr, '10.20.30.40');
});

test('public addresses do not count; a host with only loopback up advertises its loopback address, as Consul does', (t) => {
  t.is(resolveAgentConfig(base, { interfaces: table(LO, ['eth0', NIC, '52.1.2.3/20'], ['eth1', NIC, '192.168.7.7/24']) }).advertiseAddr, '192.168.7.7');
  t.is(resolveAgentConfig(base, { interfaces: table(LO) }).advertiseAddr, '127.0.0.1');
  // An interface that is down is not looked at.
  t.is(resolveAgentConfig(base, { interfaces: table(LO, ['eth0', NIC, '10.0.0.9/8'], ['eth1', ['broadcast'], '10.9.9.9/8']) }).advertiseAddr, '10.0.0.9');
});

test("several private IPv4 addresses, or none, stop the agent with Consul's errors", (t) => {
  t.throws(() => resolveAgentConfig(base, { interfaces: table(LO, ['eth0', NIC, '10.0.0.5/24'], ['docker0', NIC, '172.17.0.1/16']) }), {
    instanceOf: ConfigError,
    message: "Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.",
  });
  t.throws(() => resolveAgentConfig(base, { interfaces: table(['eth0', NIC, '52.1.2.3/20']) }), {
    instanceOf: ConfigError,
    message: 'No private IPv4 address found',
  });
  // -advertise or a specific -bind settles it.
  const multi = table(LO, ['eth0', NIC, '10.0.0.5/24'], ['docker0', NIC, '172.17.0.1/16']);
  t.is(resolveAgentConfig([...base, '-advertise', '10.0.0.5'], { interfaces: multi }).advertiseAddr, '10.0.0.5');
  t.is(resolveAgentConfig([...base, '-bind', '10.0.0.5'], { interfaces: multi }).advertiseAddr, '10.0.0.5');
});

test('-bind, -advertise and -client take go-sockaddr templates', (t) => {
  const host = table(LO, ['eth0', NIC, '10.0.0.5/24'], ['eth1', NIC, '52.1.2.3/20'], ['docker0', NIC, '172.17.0.1/16']);
  const c = resolveAgentConfig(
    [
      ...base,
      '-bind',
      '{{ GetInterfaceIP "eth0" }}',
      '-advertise',
      '{{ GetPublicIP }}',
      '-client',
      '{{ GetAllInterfaces | include "network" "127.0.0.0/8|172.16.0.0/12" | join "address" " " }}',
    ],
    { interfaces: host },
  );
  t.is(c.bindAddr, '10.0.0.5');
  t.is(c.advertiseAddr, '52.1.2.3');
  t.deepEqual(c.clientAddrs, ['127.0.0.1', '172.17.0.1']);
  t.deepEqual(c.httpAddrs, ['127.0.0.1', '172.17.0.1']);
  t.deepEqual(c.dnsAddrs, ['127.0.0.1', '172.17.0.1']);
  t.is(c.httpAddr, '127.0.0.1');
});

test('the config keys bind_addr, advertise_addr, client_addr, addresses, start_join and retry_join take templates too', (t) => {
  const host = table(LO, ['eth0', NIC, '10.0.0.5/24']);
  const file = configFile({
    bind_addr: '{{ GetPrivateIP }}',
    advertise_addr: '{{ GetInterfaceIP "eth0" }}',
    client_addr: '127.0.0.1 {{ GetPrivateIP }}',
    addresses: { dns: '{{ GetAllInterfaces | include "name" "^lo$" | attr "address" }}' },
    start_join: ['{{ GetPrivateIP }}:8301'],
    retry_join: ['{{ GetAllInterfaces | include "type" "ipv4" | join "address" " " }}', 'provider=aws tag_key=consul tag_value=x', 'server.example:8301'],
  });
  const c = resolveAgentConfig([...base, '-config-file', file], { interfaces: host });
  t.is(c.bindAddr, '10.0.0.5');
  t.is(c.advertiseAddr, '10.0.0.5');
  t.deepEqual(c.clientAddrs, ['127.0.0.1', '10.0.0.5']);
  t.deepEqual(c.httpAddrs, ['127.0.0.1', '10.0.0.5']);
  t.deepEqual(c.dnsAddrs, ['127.0.0.1']);
  t.deepEqual(c.startJoin, ['10.0.0.5:8301']);
  // A template's result is split on spaces; a plain value is kept whole (cloud auto-join strings).
  t.deepEqual(c.retryJoin, ['127.0.0.1', '10.0.0.5', 'provider=aws tag_key=consul tag_value=x', 'server.example:8301']);
});

test('-client with two plain addresses listens on both; -join and -retry-join flags take templates', (t) => {
  const host = table(LO, ['eth0', NIC, '10.0.0.5/24']);
  const c = resolveAgentConfig(['-dev', '-client', '127.0.0.1 127.0.0.2', '-join', '{{ GetPrivateIP }}', '-retry-join', '{{ GetPrivateIP }}:9301'], { interfaces: host });
  t.deepEqual(c.clientAddrs, ['127.0.0.1', '127.0.0.2']);
  t.deepEqual(c.startJoin, ['10.0.0.5']);
  t.deepEqual(c.retryJoin, ['10.0.0.5:9301']);
});

test("addresses that are not IPs, several bind addresses, a template naming nothing or not parsing are refused with Consul's words", (t) => {
  const host = table(LO, ['eth0', NIC, '10.0.0.5/24'], ['eth1', NIC, '10.0.1.5/24']);
  const refuse = (argv: string[], message: string | RegExp) => t.throws(() => resolveAgentConfig([...base, ...argv], { interfaces: host }), { instanceOf: ConfigError, message });
  refuse(['-bind', '{{ GetAllInterfaces | include "name" "eth" | join "address" " " }}'], "bind_addr cannot contain multiple addresses. Use 'addresses.{dns,http,https}' instead.");
  refuse(['-bind', 'not-an-ip'], 'bind_addr: invalid ip address: not-an-ip');
  refuse(['-bind', '{{ GetPublicIP }}'], 'bind_addr cannot be empty: "{{ GetPublicIP }}" names no address');
  refuse(['-bind', '10.0.0.5', '-advertise', '{{ GetAllInterfaces | include "name" "eth" | join "address" " " }}'], 'advertise_addr: multiple addresses found: 10.0.0.5 10.0.1.5');
  refuse(['-bind', '10.0.0.5', '-client', 'localhost'], 'client_addr: invalid ip address: localhost');
  refuse(['-bind', '10.0.0.5', '-client', '{{ GetInterfaceIP "lo" }}'], 'client_addr cannot be empty: "{{ GetInterfaceIP \\"lo\\" }}" names no address');
  refuse(['-bind', '10.0.0.5', '-client', 'unix:///tmp/x.sock'], 'client_addr cannot be a unix socket');
  refuse(['-bind', '{{ GetPrivateIP '], /^bind_addr: error parsing "{{ GetPrivateIP ": template: sockaddr.Parse:1: unclosed action$/);
  refuse(['-bind', '10.0.0.5', '-retry-join', '{{ Nope }}'], /^retry_join: error parsing "{{ Nope }}": .*function "Nope" not defined/);
});

test('the interface table is read only when a value needs it', (t) => {
  let reads = 0;
  const host = () => {
    reads++;
    return table(LO, ['eth0', NIC, '10.0.0.5/24'])();
  };
  resolveAgentConfig(['-dev'], { interfaces: host });
  resolveAgentConfig([...base, '-bind', '127.0.0.1', '-retry-join', '127.0.0.1:8301'], { interfaces: host });
  t.is(reads, 0);
  resolveAgentConfig([...base, '-bind', '{{ GetPrivateIP }}', '-advertise', '{{ GetPrivateIP }}'], { interfaces: host });
  t.is(reads, 1);
});
