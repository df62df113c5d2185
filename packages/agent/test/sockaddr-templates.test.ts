import test from 'ava';
import { type InterfaceFlag, type InterfaceTable, SockaddrError, evaluateSockaddrTemplate } from '../src/index.js';
import { parseIpNet } from '../src/net/ip-address.js';
import { defaultRouteInterface } from '../src/net/interface-table.js';

const UP_ETH: InterfaceFlag[] = ['up', 'broadcast', 'multicast', 'running'];

function table(rows: [string, InterfaceFlag[], string][], defaultInterface: string | undefined): InterfaceTable {
  return {
    defaultInterface,
    addresses: rows.map(([name, flags, cidr]) => {
      const ip = parseIpNet(cidr);
      if (!ip) throw new Error(cidr);
      return { name, flags: new Set(flags), ip };
    }),
  };
}

/** A host with loopback, a default-route NIC with two IPv4 and two IPv6 addresses, a public NIC, a bridge and a tunnel. */
const HOST = table(
  [
    ['lo', ['up', 'loopback', 'running'], '127.0.0.1/8'],
    ['lo', ['up', 'loopback', 'running'], '::1/128'],
    ['eth0', UP_ETH, '10.0.1.6/32'],
    ['eth0', UP_ETH, '10.0.1.5/24'],
    ['eth0', UP_ETH, 'fd00::5/64'],
    ['eth0', UP_ETH, 'fe80::1/64'],
    ['eth1', UP_ETH, '52.10.20.30/20'],
    ['docker0', ['up', 'broadcast', 'multicast'], '172.17.0.1/16'],
    ['tun0', ['up', 'pointtopoint', 'multicast', 'running'], '100.64.3.3/32'],
  ],
  'eth0',
);

const cases: [string, string][] = [
  // The sources.
  ['{{ GetPrivateIP }}', '10.0.1.5'],
  ['{{ GetPublicIP }}', '52.10.20.30'],
  ['{{ GetInterfaceIP "eth0" }}', '10.0.1.5'],
  ['{{ GetInterfaceIP "eth1" }}', '52.10.20.30'],
  ['{{ GetInterfaceIP "lo" }}', ''],
  ['{{ GetInterfaceIPs "eth0" }}', '10.0.1.5 10.0.1.6 fd00::5 fe80::1'],
  ['{{ GetPrivateInterfaces | join "address" " " }}', '10.0.1.5 10.0.1.6 fd00::5 172.17.0.1 100.64.3.3'],
  ['{{ GetPublicInterfaces | attr "name" }}', 'eth1'],
  ['{{ GetDefaultInterfaces | join "address" "," }}', '10.0.1.6,10.0.1.5,fd00::5,fe80::1'],
  ['{{ GetPrivateIPs }}', '172.17.0.1 10.0.1.5 10.0.1.6 100.64.3.3 fd00::5'],
  ['{{ GetPublicIPs }}', '52.10.20.30'],
  // The example from Consul's documentation: table order, no sorting.
  ['{{ GetAllInterfaces | include "network" "10.0.0.0/8" | attr "address" }}', '10.0.1.6'],
  ['{{ GetAllInterfaces | include "network" "10.0.0.0/8|172.16.0.0/12" | join "address" " " }}', '10.0.1.6 10.0.1.5 172.17.0.1'],
  ['{{ GetAllInterfaces | exclude "network" "10.0.0.0/8" | include "type" "ipv4" | join "address" " " }}', '127.0.0.1 52.10.20.30 172.17.0.1 100.64.3.3'],
  // include / exclude by name, type, flags, rfc, size, address.
  ['{{ GetAllInterfaces | include "name" "^eth" | exclude "type" "ipv6" | join "address" "," }}', '10.0.1.6,10.0.1.5,52.10.20.30'],
  ['{{ GetAllInterfaces | include "name" "^lo$" | include "type" "IPv4" | attr "address" }}', '127.0.0.1'],
  ['{{ GetAllInterfaces | include "flags" "loopback" | join "address" " " }}', '127.0.0.1 ::1'],
  ['{{ GetAllInterfaces | include "flag" "point-to-point" | attr "name" }}', 'tun0'],
  ['{{ GetAllInterfaces | include "flags" "forwardable" | include "type" "ipv6" | join "address" " " }}', 'fd00::5'],
  ['{{ GetAllInterfaces | include "flags" "link-local unicast" | attr "address" }}', 'fe80::1'],
  ['{{ GetAllInterfaces | include "rfc" "1918" | join "address" " " }}', '10.0.1.6 10.0.1.5 172.17.0.1'],
  ['{{ GetAllInterfaces | include "rfcs" "6598|4193" | join "address" " " }}', '100.64.3.3 fd00::5'],
  ['{{ GetAllInterfaces | include "size" "32" | join "address" " " }}', '10.0.1.6 100.64.3.3'],
  ['{{ GetAllInterfaces | include "address" "^10\\\\.0\\\\.1\\\\.5/" | attr "string" }}', '10.0.1.5/24'],
  ['{{ GetAllInterfaces | exclude "name" "lo|docker|tun" | include "type" "ipv4" | join "name" " " }}', 'eth0 eth0 eth1'],
  // sort, limit, offset, unique.
  ['{{ GetAllInterfaces | include "type" "ipv4" | sort "-size,address" | limit 1 | attr "address" }}', '10.0.1.6'],
  ['{{ GetAllInterfaces | include "type" "ipv4" | sort "address" | join "address" " " }}', '10.0.1.5 10.0.1.6 52.10.20.30 100.64.3.3 127.0.0.1 172.17.0.1'],
  ['{{ GetAllInterfaces | sort "type,size" | limit 2 | join "address" " " }}', '127.0.0.1 172.17.0.1'],
  ['{{ GetAllInterfaces | sort "default,private" | limit 1 | attr "address" }}', '10.0.1.6'],
  ['{{ GetAllInterfaces | include "type" "ipv4" | offset 1 | limit 2 | join "address" " " }}', '10.0.1.6 10.0.1.5'],
  ['{{ GetAllInterfaces | include "type" "ipv4" | offset -1 | attr "address" }}', '100.64.3.3'],
  ['{{ GetAllInterfaces | sort "name" | unique "name" | join "name" " " }}', 'docker0 eth0 eth1 lo tun0'],
  // Attributes.
  ['{{ GetInterfaceIP "eth0" }}/{{ GetAllInterfaces | include "address" "10.0.1.5" | attr "mask_bits" }}', '10.0.1.5/24'],
  ['{{ GetAllInterfaces | include "address" "^10.0.1.5" | attr "network" }}', '10.0.1.0'],
  ['{{ GetAllInterfaces | include "address" "^10.0.1.5" | attr "netmask" }}', '255.255.255.0'],
  ['{{ GetAllInterfaces | include "address" "^10.0.1.5" | attr "broadcast" }}', '10.0.1.255'],
  ['{{ GetAllInterfaces | include "address" "^10.0.1.5" | attr "size" }}', '256'],
  ['{{ GetAllInterfaces | include "address" "^10.0.1.5" | attr "uint32" }}', '167772421'],
  ['{{ GetAllInterfaces | include "name" "eth0" | attr "flags" }}', 'up|broadcast|multicast|running'],
  ['{{ GetAllInterfaces | include "name" "lo" | join "type" " " }}', 'IPv4 IPv6'],
  ['{{ GetAllInterfaces | include "address" "^fd00" | attr "network" }}', 'fd00::'],
  ['{{ GetAllInterfaces | include "name" "nothing" | attr "address" }}', ''],
  // Text around actions, trim markers, comments, parentheses, raw strings, dot.
  ['http://{{ GetPrivateIP }}:8500', 'http://10.0.1.5:8500'],
  ['  {{- GetPrivateIP -}}  ', '10.0.1.5'],
  ['{{/* the NIC of the default route */}}{{ GetPrivateIP }}', '10.0.1.5'],
  ['{{ attr "address" (include "name" `eth1` GetAllInterfaces) }}', '52.10.20.30'],
  ['{{ . | include "name" "tun0" | attr "address" }}', '100.64.3.3'],
  ['{{ GetPrivateIP }} {{ GetPublicIP }}', '10.0.1.5 52.10.20.30'],
  ['10.1.2.3', '10.1.2.3'],
  // Braces inside a quoted or raw string do not end the action.
  ['{{ GetAllInterfaces | include "address" "^10\\\\.0\\\\.1\\\\.[0-9]{1}}" | attr "address" }}', ''],
  ['{{ GetAllInterfaces | include "address" `^10\\.0\\.1\\.[0-9]{1}/` | attr "address" }}', '10.0.1.5'],
];

for (const [template, want] of cases) {
  test(`evaluates ${template}`, (t) => {
    t.is(evaluateSockaddrTemplate(template, HOST), want);
  });
}

test('a host whose only interface is loopback has no private or public IP for go-sockaddr (loopback is not forwardable)', (t) => {
  const lo = table([['lo', ['up', 'loopback', 'running'], '127.0.0.1/8']], undefined);
  t.is(evaluateSockaddrTemplate('{{ GetPrivateIP }}', lo), '');
  t.is(evaluateSockaddrTemplate('{{ GetPublicIP }}', lo), '');
  t.is(evaluateSockaddrTemplate('{{ GetAllInterfaces | attr "address" }}', lo), '127.0.0.1');
});

test('the default interface decides between private addresses of several NICs', (t) => {
  const two = table(
    [
      ['eth0', UP_ETH, '192.168.1.10/24'],
      ['eth1', UP_ETH, '10.1.0.10/16'],
    ],
    'eth1',
  );
  t.is(evaluateSockaddrTemplate('{{ GetPrivateIP }}', two), '10.1.0.10');
  t.is(evaluateSockaddrTemplate('{{ GetPrivateIP }}', { ...two, defaultInterface: 'eth0' }), '192.168.1.10');
  // Without a default route, the larger network sorts first.
  t.is(evaluateSockaddrTemplate('{{ GetPrivateIP }}', { ...two, defaultInterface: undefined }), '10.1.0.10');
});

const errors: [string, RegExp][] = [
  ['{{ GetPrivateIP', /unclosed action/],
  ['{{ NoSuchFunction }}', /function "NoSuchFunction" not defined/],
  ['{{ GetAllInterfaces | include "name" }}', /wrong number of args for include: want 3 got 2/],
  ['{{ GetAllInterfaces | include "colour" "red" }}', /invalid include selector "colour"/],
  ['{{ GetAllInterfaces | exclude "colour" "red" }}', /invalid exclude selector "colour"/],
  ['{{ GetAllInterfaces | include "flags" "running" }}', /unknown interface flag: "running"/],
  ['{{ GetAllInterfaces | include "network" "10.0.0.0/99" }}', /unable to create an IP address from "10.0.0.0\/99"/],
  ['{{ GetAllInterfaces | include "rfc" "1234" }}', /unsupported RFC 1234/],
  ['{{ GetAllInterfaces | include "type" "ipx" }}', /unsupported type "ipx"/],
  ['{{ GetAllInterfaces | include "name" "(" }}', /unable to compile name regexp/],
  ['{{ GetAllInterfaces | sort "colour" }}', /unknown sort type: "colour"/],
  ['{{ GetAllInterfaces | attr "colour" }}', /unsupported attribute name "colour"/],
  ['{{ GetAllInterfaces | offset 99 }}', /unable to seek past the end of the interface array: offset \(99\) exceeds the number of interfaces \(9\)/],
  ['{{ GetAllInterfaces | limit -1 | attr "address" }}', /wrong type for value; expected uint; got int/],
  ['{{ GetPrivateIP | attr "address" }}', /expected sockaddr\.IfAddrs; got string/],
  ['{{ GetAllInterfaces }}', /a list of interfaces cannot be printed/],
  ['{{ "unterminated }}', /unclosed action/],
  ['{{ include "name" "x" GetAllInterfaces "y }}', /unclosed action/],
  ['{{ }}', /missing value for command/],
  ['{{ GetAllInterfaces | }}', /missing command after \|/],
  ['{{ GetAllInterfaces | math "address" "+1" | attr "address" }}', /function "math" is not supported/],
  ['{{ ((((((((((((((((((((((((((((((((((GetPrivateIP)))))))))))))))))))))))))))))))))) }}', /nested too deeply/],
];

for (const [template, want] of errors) {
  test(`refuses ${template.slice(0, 60)}`, (t) => {
    const err = t.throws(() => evaluateSockaddrTemplate(template, HOST), { instanceOf: SockaddrError });
    t.regex(err?.message ?? '', want);
  });
}

test('a template longer than the bound is refused before it is parsed', (t) => {
  t.throws(() => evaluateSockaddrTemplate(`{{ GetPrivateIP }}${' '.repeat(9000)}`, HOST), { message: /longer than 8192/ });
});

test('the default route interface comes from /proc/net/route, else /proc/net/ipv6_route', (t) => {
  const v4 = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
`;
  t.is(defaultRouteInterface(v4, undefined), 'eth0');
  const v6 = `00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wlan0
`;
  t.is(defaultRouteInterface('Iface\tDestination\n', v6), 'wlan0');
  t.is(defaultRouteInterface(undefined, undefined), undefined);
});
