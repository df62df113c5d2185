/**
 * go-sockaddr's functions over an interface table: the sources (`GetAllInterfaces`,
 * `GetPrivateInterfaces`, `GetPrivateIP`, `GetInterfaceIP`, ...), the filters (`include`,
 * `exclude` by address, flag(s), name, network, port, rfc(s), size, type), `sort`, `attr`, `join`,
 * `limit`, `offset` and `unique`, with go-sockaddr's semantics and error texts.
 */
import { FLAG_ORDER, type InterfaceAddress, type InterfaceFlag, type InterfaceTable } from './interface-table.js';
import { type IpNet, bitsOf, broadcastOf, formatIp, formatIpNet, inAny, maskOf, networkOf, networks, parseIpNet } from './ip-address.js';

export type IfAddrs = readonly InterfaceAddress[];

export class SockaddrError extends Error {
  readonly code = 'SOCKADDR';
}

/** go-sockaddr's pseudo-RFC of blocks that are not forwardable. */
const FORWARDING_BLACKLIST = 4294967295;

/** go-sockaddr's KnownRFCs(). */
const RFCS: ReadonlyMap<number, readonly IpNet[]> = new Map(
  (
    [
      [919, ['255.255.255.255/32']],
      [1112, ['224.0.0.0/4']],
      [1122, ['0.0.0.0/8', '127.0.0.0/8']],
      [1918, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
      [2544, ['198.18.0.0/15']],
      [2765, ['::ffff:0:0/96']],
      [2928, ['2001::/16']],
      [3056, ['2002::/16']],
      [3068, ['192.88.99.0/24', '2002:c058:6301::/120']],
      [3171, ['224.0.0.0/4']],
      [
        3330,
        [
          '0.0.0.0/8',
          '10.0.0.0/8',
          '127.0.0.0/8',
          '169.254.0.0/16',
          '172.16.0.0/12',
          '192.0.2.0/24',
          '192.88.99.0/24',
          '192.168.0.0/16',
          '198.18.0.0/15',
          '224.0.0.0/4',
          '240.0.0.0/4',
        ],
      ],
      [3849, ['2001:db8::/32']],
      [3927, ['169.254.0.0/16']],
      [4038, ['::ffff:0:0/96']],
      [4193, ['fc00::/7']],
      [4291, ['::/128', '::1/128', '::/96', '::ffff:0:0/96', 'fe80::/10', 'fec0::/10', 'ff00::/8']],
      [4380, ['2001::/32']],
      [4773, ['2001::/23']],
      [4843, ['2001:10::/28']],
      [5180, ['2001:200::/48']],
      [5735, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '198.18.0.0/15']],
      [5737, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']],
      [6052, ['64:ff9b::/96']],
      [6333, ['192.0.0.0/29']],
      [6598, ['100.64.0.0/10']],
      [6666, ['100::/64']],
      [
        6890,
        [
          '0.0.0.0/8',
          '10.0.0.0/8',
          '100.64.0.0/10',
          '127.0.0.0/8',
          '169.254.0.0/16',
          '172.16.0.0/12',
          '192.0.0.0/24',
          '192.0.0.0/29',
          '192.0.2.0/24',
          '192.88.99.0/24',
          '192.168.0.0/16',
          '198.18.0.0/15',
          '198.51.100.0/24',
          '203.0.113.0/24',
          '240.0.0.0/4',
          '255.255.255.255/32',
          '::1/128',
          '::/128',
          '64:ff9b::/96',
          '::ffff:0:0/96',
          '100::/64',
          '2001::/16',
          '2002::/16',
          'fc00::/7',
          'fe80::/10',
        ],
      ],
      [7335, ['192.0.0.0/29']],
      [
        FORWARDING_BLACKLIST,
        [
          '0.0.0.0/8',
          '127.0.0.0/8',
          '169.254.0.0/16',
          '192.0.0.0/24',
          '192.0.2.0/24',
          '198.51.100.0/24',
          '203.0.113.0/24',
          '240.0.0.0/4',
          '255.255.255.255/32',
          '::1/128',
          '::/128',
          '::ffff:0:0/96',
          '2001:db8::/32',
          '2001:10::/28',
          'fe80::/10',
        ],
      ],
    ] as const
  ).map(([rfc, cidrs]) => [rfc, networks(cidrs)]),
);

function isRfc(rfc: number, a: InterfaceAddress): boolean {
  return inAny(RFCS.get(rfc) ?? [], a.ip);
}

function goRegexp(pattern: string, what: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new SockaddrError(`unable to compile ${what} regexp ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

// ---- filters: each returns [matched, remainder] ------------------------------------------------

type Split = [InterfaceAddress[], InterfaceAddress[]];

function splitBy(list: IfAddrs, test: (a: InterfaceAddress) => boolean): Split {
  const matched: InterfaceAddress[] = [];
  const rest: InterfaceAddress[] = [];
  for (const a of list) (test(a) ? matched : rest).push(a);
  return [matched, rest];
}

function byRfc(param: string, list: IfAddrs): Split {
  if (!/^\d+$/.test(param)) throw new SockaddrError(`unable to parse RFC number ${JSON.stringify(param)}`);
  const rfc = Number(param);
  if (!RFCS.has(rfc)) throw new SockaddrError(`unsupported RFC ${rfc}`);
  return splitBy(list, (a) => isRfc(rfc, a));
}

function byRfcs(param: string, list: IfAddrs): Split {
  const out: Split = [[], []];
  for (const one of param.split('|')) {
    const [m, r] = byRfc(one, list);
    out[0].push(...m);
    out[1].push(...r);
  }
  return out;
}

function byFlags(param: string, list: IfAddrs): Split {
  const want = new Set<InterfaceFlag>();
  let checkFlags = false;
  let forwardable = false;
  let loopbackAttr = false;
  let multicastAttr = false;
  let linkLocalUnicast = false;
  let linkLocalMulticast = false;
  let interfaceLocalMulticast = false;
  let globalUnicast = false;
  let unspecified = false;
  for (const flag of param.toLowerCase().split('|')) {
    switch (flag) {
      case 'broadcast':
      case 'up':
      case 'point-to-point':
        checkFlags = true;
        want.add(flag === 'point-to-point' ? 'pointtopoint' : flag);
        break;
      case 'down':
        checkFlags = true;
        want.delete('up');
        break;
      case 'loopback':
        checkFlags = true;
        want.add('loopback');
        loopbackAttr = true;
        break;
      case 'multicast':
        checkFlags = true;
        want.add('multicast');
        multicastAttr = true;
        break;
      case 'forwardable':
        forwardable = true;
        break;
      case 'global unicast':
        globalUnicast = true;
        break;
      case 'link-local unicast':
        linkLocalUnicast = true;
        break;
      case 'link-local multicast':
        linkLocalMulticast = true;
        break;
      case 'interface-local multicast':
        interfaceLocalMulticast = true;
        break;
      case 'unspecified':
        unspecified = true;
        break;
      default:
        throw new SockaddrError(`unknown interface flag: ${JSON.stringify(flag)}`);
    }
  }
  const checkAttrs = forwardable || loopbackAttr || multicastAttr || linkLocalUnicast || linkLocalMulticast || interfaceLocalMulticast || globalUnicast || unspecified;
  return splitBy(list, (a) => {
    if (checkFlags && [...want].every((f) => a.flags.has(f))) return true;
    if (!checkAttrs) return false;
    const kind = ipKind(a.ip);
    return (
      (globalUnicast && kind.globalUnicast) ||
      (interfaceLocalMulticast && kind.interfaceLocalMulticast) ||
      (linkLocalMulticast && kind.linkLocalMulticast) ||
      (linkLocalUnicast && kind.linkLocalUnicast) ||
      (loopbackAttr && kind.loopback) ||
      (multicastAttr && kind.multicast) ||
      (unspecified && kind.unspecified) ||
      (forwardable && !isRfc(FORWARDING_BLACKLIST, a))
    );
  });
}

const V4_LOOPBACK = networks(['127.0.0.0/8']);
const V4_MULTICAST = networks(['224.0.0.0/4']);
const V4_LINK_LOCAL = networks(['169.254.0.0/16']);
const V4_LINK_LOCAL_MULTICAST = networks(['224.0.0.0/24']);
const V6_LINK_LOCAL = networks(['fe80::/10']);
const V6_MULTICAST = networks(['ff00::/8']);

/** The classes Go's net.IP methods (IsLoopback, IsMulticast, ...) put an address in. */
function ipKind(ip: IpNet): Record<'loopback' | 'multicast' | 'linkLocalUnicast' | 'linkLocalMulticast' | 'interfaceLocalMulticast' | 'unspecified' | 'globalUnicast', boolean> {
  const v4 = ip.family === 4;
  const loopback = v4 ? inAny(V4_LOOPBACK, ip) : ip.value === 1n;
  const multicast = inAny(v4 ? V4_MULTICAST : V6_MULTICAST, ip);
  const linkLocalUnicast = inAny(v4 ? V4_LINK_LOCAL : V6_LINK_LOCAL, ip);
  const linkLocalMulticast = v4 ? inAny(V4_LINK_LOCAL_MULTICAST, ip) : ip.value >> 112n === 0xff02n;
  const interfaceLocalMulticast = !v4 && ip.value >> 112n === 0xff01n;
  const unspecified = ip.value === 0n;
  const broadcast = v4 && ip.value === 0xffffffffn;
  return {
    loopback,
    multicast,
    linkLocalUnicast,
    linkLocalMulticast,
    interfaceLocalMulticast,
    unspecified,
    globalUnicast: !(loopback || multicast || linkLocalUnicast || unspecified || broadcast),
  };
}

function byNetwork(param: string, list: IfAddrs): Split {
  const out: Split = [[], []];
  for (const one of param.split('|')) {
    const net = parseIpNet(one);
    if (!net) throw new SockaddrError(`unable to create an IP address from ${JSON.stringify(one)}`);
    const [m, r] = splitBy(list, (a) => a.ip.family === net.family && networkOf(net) <= a.ip.value && a.ip.value <= broadcastOf(net));
    out[0].push(...m);
    out[1].push(...r);
  }
  return out;
}

function byType(param: string, list: IfAddrs): Split {
  const types = param.toLowerCase().split('|');
  for (const t of types) {
    if (!['ip', 'ipv4', 'ipv6', 'unix'].includes(t)) throw new SockaddrError(`unsupported type ${JSON.stringify(t)} ${JSON.stringify(param)}`);
  }
  const out: Split = [[], []];
  for (const a of list) {
    for (const t of types) {
      const hit = t === 'ip' || (t === 'ipv4' && a.ip.family === 4) || (t === 'ipv6' && a.ip.family === 6);
      (hit ? out[0] : out[1]).push(a);
    }
  }
  return out;
}

function bySize(param: string, list: IfAddrs): Split {
  if (!/^\d+$/.test(param)) throw new SockaddrError(`invalid exclude size argument (${JSON.stringify(param)})`);
  const size = Number(param);
  for (const a of list) {
    if (a.ip.family === 4 && size > 32) throw new SockaddrError(`mask size out of bounds for IPv4 address: ${size}`);
    if (a.ip.family === 6 && size > 128) throw new SockaddrError(`mask size out of bounds for IPv6 address: ${size}`);
  }
  return splitBy(list, (a) => a.ip.prefix === size);
}

function select(selector: string, param: string, list: IfAddrs, verb: 'include' | 'exclude'): Split {
  switch (selector.toLowerCase()) {
    case 'address': {
      const re = goRegexp(param, 'address');
      return splitBy(list, (a) => re.test(formatIpNet(a.ip)));
    }
    case 'flag':
    case 'flags':
      return byFlags(param, list);
    case 'name': {
      const re = goRegexp(param, 'name');
      return splitBy(list, (a) => re.test(a.name));
    }
    case 'network':
      return byNetwork(param, list);
    case 'port': {
      const re = goRegexp(param, 'port');
      return splitBy(list, () => re.test('0'));
    }
    case 'rfc':
    case 'rfcs':
      return byRfcs(param, list);
    case 'size':
      return bySize(param, list);
    case 'type':
      return byType(param, list);
    default:
      throw new SockaddrError(`invalid ${verb} selector ${JSON.stringify(selector)}`);
  }
}

export function include(selector: string, param: string, list: IfAddrs): InterfaceAddress[] {
  return select(selector, param, list, 'include')[0];
}

export function exclude(selector: string, param: string, list: IfAddrs): InterfaceAddress[] {
  return select(selector, param, list, 'exclude')[1];
}

// ---- sorting -----------------------------------------------------------------------------------

type Cmp = (a: InterfaceAddress, b: InterfaceAddress) => number;

function sign(n: bigint | number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

const ascAddress: Cmp = (a, b) => (a.ip.family === b.ip.family ? sign(a.ip.value - b.ip.value) : 0);
const ascName: Cmp = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
/** Compares the netmasks byte for byte: a larger network (shorter mask) sorts first. */
const ascSize: Cmp = (a, b) => (a.ip.family === b.ip.family ? sign(maskOf(a.ip.family, a.ip.prefix) - maskOf(b.ip.family, b.ip.prefix)) : 0);
const ascType: Cmp = (a, b) => sign(a.ip.family - b.ip.family);
const ascPort: Cmp = () => 0;
const ascPrivate: Cmp = (a, b) => {
  if (a.ip.family !== b.ip.family) return 0;
  const pa = isRfc(6890, a);
  const pb = isRfc(6890, b);
  return pa === pb ? 0 : pa ? -1 : 1;
};

function ascDefault(defaultIf: string | undefined): Cmp {
  return (a, b) => {
    if (defaultIf === undefined) return 0;
    const da = a.name === defaultIf;
    const db = b.name === defaultIf;
    return da === db ? 0 : da ? -1 : 1;
  };
}

function sortBy(list: IfAddrs, cmps: readonly Cmp[]): InterfaceAddress[] {
  return [...list].sort((a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });
}

export function sort(param: string, list: IfAddrs, table: InterfaceTable): InterfaceAddress[] {
  const cmps = param.split(',').map((clause): Cmp => {
    const c = clause.trim().toLowerCase();
    const desc = c.startsWith('-');
    const key = c.replace(/^[+-]/, '');
    const base: Cmp | undefined = {
      address: ascAddress,
      default: ascDefault(table.defaultInterface),
      name: ascName,
      port: ascPort,
      private: ascPrivate,
      size: ascSize,
      type: ascType,
    }[key];
    if (!base) throw new SockaddrError(`unknown sort type: ${JSON.stringify(clause)}`);
    return desc ? (a, b) => -base(a, b) : base;
  });
  return sortBy(list, cmps);
}

// ---- attributes --------------------------------------------------------------------------------

export function flagsText(flags: ReadonlySet<InterfaceFlag>): string {
  const names = FLAG_ORDER.filter((f) => flags.has(f));
  return names.length === 0 ? '0' : names.join('|');
}

/** One attribute of one address (go-sockaddr's IfAddr.Attr). */
export function attrOf(name: string, a: InterfaceAddress): string {
  const ip = a.ip;
  const bits = bitsOf(ip.family);
  switch (name.toLowerCase()) {
    case 'name':
      return a.name;
    case 'flags':
      return flagsText(a.flags);
    case 'address':
      return formatIp(ip.family, ip.value);
    case 'network':
      return formatIp(ip.family, networkOf(ip));
    case 'netmask':
      return formatIp(ip.family, maskOf(ip.family, ip.prefix));
    case 'mask_bits':
      return String(ip.prefix);
    case 'host':
      return formatIp(ip.family, ip.value);
    case 'port':
      return '0';
    case 'size':
      return String(1n << BigInt(bits - ip.prefix));
    case 'broadcast':
      if (ip.family === 4) return formatIp(4, broadcastOf(ip));
      break;
    case 'uint32':
      if (ip.family === 4) return String(ip.value);
      break;
    case 'uint128':
      if (ip.family === 6) return String(ip.value);
      break;
    case 'string':
      return formatIpNet(ip);
    case 'type':
      return ip.family === 4 ? 'IPv4' : 'IPv6';
  }
  throw new SockaddrError(`unsupported attribute name ${JSON.stringify(name.toLowerCase())}`);
}

/** `attr`: the attribute of the first address ('' for none). */
export function attr(name: string, list: IfAddrs): string {
  const first = list[0];
  return first ? attrOf(name, first) : '';
}

export function join(name: string, separator: string, list: IfAddrs): string {
  return list.map((a) => attrOf(name, a)).join(separator);
}

export function limit(n: number, list: IfAddrs): InterfaceAddress[] {
  if (!Number.isInteger(n) || n < 0) throw new SockaddrError(`limit: ${n} is not an unsigned integer`);
  return list.slice(0, n);
}

export function offset(n: number, list: IfAddrs): InterfaceAddress[] {
  if (!Number.isInteger(n)) throw new SockaddrError(`offset: ${n} is not an integer`);
  if (Math.abs(n) > list.length) {
    throw new SockaddrError(`unable to seek past the end of the interface array: offset (${Math.abs(n)}) exceeds the number of interfaces (${list.length})`);
  }
  return n < 0 ? list.slice(list.length + n) : list.slice(n);
}

export function unique(name: string, list: IfAddrs): InterfaceAddress[] {
  const key = name.toLowerCase();
  if (key !== 'address' && key !== 'name') throw new SockaddrError(`unsupported unique constraint ${JSON.stringify(name)}`);
  const out: InterfaceAddress[] = [];
  let last = '';
  for (const a of list) {
    const v = key === 'address' ? formatIpNet(a.ip) : a.name;
    if (last === '' || last !== v) {
      last = v;
      out.push(a);
    }
  }
  return out;
}

// ---- sources -----------------------------------------------------------------------------------

/** Up, forwardable IP addresses, the default interface's first, then IPv4, then larger networks. */
function candidates(table: InterfaceTable): InterfaceAddress[] {
  const up = include('flags', 'up', include('flags', 'forwardable', table.addresses));
  return sortBy(up, [ascDefault(table.defaultInterface), ascType, ascSize]);
}

export function getPrivateInterfaces(table: InterfaceTable): InterfaceAddress[] {
  return candidates(table).filter((a) => isRfc(6890, a));
}

export function getPublicInterfaces(table: InterfaceTable): InterfaceAddress[] {
  return candidates(table).filter((a) => !isRfc(6890, a));
}

export function getDefaultInterfaces(table: InterfaceTable): InterfaceAddress[] {
  return table.defaultInterface === undefined ? [] : table.addresses.filter((a) => a.name === table.defaultInterface);
}

export function getPrivateIP(table: InterfaceTable): string {
  return attr('address', getPrivateInterfaces(table));
}

export function getPublicIP(table: InterfaceTable): string {
  return attr('address', getPublicInterfaces(table));
}

export function getPrivateIPs(table: InterfaceTable): string {
  const sorted = sortBy(table.addresses, [ascType, ascSize]);
  return join(
    'address',
    ' ',
    sorted.filter((a) => isRfc(6890, a) && !isRfc(FORWARDING_BLACKLIST, a)),
  );
}

export function getPublicIPs(table: InterfaceTable): string {
  const sorted = sortBy(table.addresses, [ascType, ascSize]);
  return join(
    'address',
    ' ',
    sorted.filter((a) => !isRfc(6890, a)),
  );
}

export function getInterfaceIP(nameRe: string, table: InterfaceTable): string {
  const named = include('name', nameRe, table.addresses);
  return attr('address', sort('+type,+size', include('flags', 'forwardable', named), table));
}

export function getInterfaceIPs(nameRe: string, table: InterfaceTable): string {
  return join('address', ' ', sort('+type,+size', include('name', nameRe, table.addresses), table));
}
