/**
 * IP addresses and networks as numbers: parsing (`10.0.0.1`, `10.0.0.0/8`, `fd00::/7`), containment,
 * masks, and printing the way Go's net.IP prints (IPv6 compressed per RFC 5952).
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** An address with the prefix length of its network (`/32` or `/128` for a single host). */
export interface IpNet {
  readonly family: IpFamily;
  /** The address as an unsigned number (32 or 128 bits). */
  readonly value: bigint;
  readonly prefix: number;
}

export function bitsOf(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

function parseV4(s: string): bigint {
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(s: string): bigint {
  let text = s;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseV4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array.from({ length: zeros }, () => '0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** Parses `addr` or `addr/prefix`; undefined when it is neither. A zone (`%eth0`) is dropped. */
export function parseIpNet(input: string): IpNet | undefined {
  const slash = input.indexOf('/');
  const addr = (slash === -1 ? input : input.slice(0, slash)).replace(/%.*$/, '');
  const family: IpFamily | undefined = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
  if (family === undefined) return undefined;
  const bits = bitsOf(family);
  let prefix = bits;
  if (slash !== -1) {
    const raw = input.slice(slash + 1);
    if (!/^\d{1,3}$/.test(raw) || Number(raw) > bits) return undefined;
    prefix = Number(raw);
  }
  return { family, value: family === 4 ? parseV4(addr) : parseV6(addr), prefix };
}

export function maskOf(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** The prefix length of a netmask such as `255.255.255.0` (undefined if not contiguous). */
export function prefixOfMask(mask: string): number | undefined {
  const net = parseIpNet(mask);
  if (!net) return undefined;
  const bits = bitsOf(net.family);
  for (let p = 0; p <= bits; p++) if (maskOf(net.family, p) === net.value) return p;
  return undefined;
}

export function networkOf(net: IpNet): bigint {
  return net.value & maskOf(net.family, net.prefix);
}

export function broadcastOf(net: IpNet): bigint {
  const bits = BigInt(bitsOf(net.family));
  return networkOf(net) | ((1n << (bits - BigInt(net.prefix))) - 1n);
}

/** Whether the network `outer` holds the address of `inner` (go-sockaddr's `Contains`). */
export function contains(outer: IpNet, inner: IpNet): boolean {
  return outer.family === inner.family && networkOf(outer) <= inner.value && inner.value <= broadcastOf(outer);
}

/** An address number printed as Go's net.IP String() prints it. */
export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));
  // An IPv4-mapped address prints as IPv4, as Go does.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return formatIp(4, value & 0xffffffffn);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `addr/prefix`, or the bare address for a single host, as go-sockaddr's String() prints. */
export function formatIpNet(net: IpNet): string {
  const addr = formatIp(net.family, net.value);
  return net.prefix === bitsOf(net.family) ? addr : `${addr}/${net.prefix}`;
}

/** Builds a lookup over a list of CIDR blocks. */
export function networks(cidrs: readonly string[]): IpNet[] {
  return cidrs.map((c) => {
    const n = parseIpNet(c);
    if (!n) throw new Error(`bad network ${c}`);
    return n;
  });
}

export function inAny(blocks: readonly IpNet[], addr: IpNet): boolean {
  return blocks.some((b) => contains(b, addr));
}
