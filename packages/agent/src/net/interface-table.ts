/**
 * The host's network interfaces as go-sockaddr sees them: one entry per address, with the
 * interface's name and flags, plus the name of the interface that holds the default route.
 * Read from `os.networkInterfaces()`; on Linux the flags come from /sys/class/net/<if>/flags and
 * the default route from /proc/net/route (and /proc/net/ipv6_route).
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { type IpNet, parseIpNet, prefixOfMask } from './ip-address.js';

/** Interface flags, named as Go's net.Flags prints them. */
export type InterfaceFlag = 'up' | 'broadcast' | 'loopback' | 'pointtopoint' | 'multicast' | 'running';

/** In Go's bit order, which is also its printing order. */
export const FLAG_ORDER: readonly InterfaceFlag[] = ['up', 'broadcast', 'loopback', 'pointtopoint', 'multicast', 'running'];

/** One address on one interface (go-sockaddr's IfAddr). */
export interface InterfaceAddress {
  readonly name: string;
  readonly flags: ReadonlySet<InterfaceFlag>;
  readonly ip: IpNet;
}

export interface InterfaceTable {
  readonly addresses: readonly InterfaceAddress[];
  /** The interface of the default route, if the host has one. */
  readonly defaultInterface: string | undefined;
}

/** Linux IFF_* bits of /sys/class/net/<if>/flags. */
const LINUX_FLAGS: readonly [number, InterfaceFlag][] = [
  [0x1, 'up'],
  [0x2, 'broadcast'],
  [0x8, 'loopback'],
  [0x10, 'pointtopoint'],
  [0x40, 'running'],
  [0x1000, 'multicast'],
];

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function flagsOf(name: string, internal: boolean): Set<InterfaceFlag> {
  const raw = readText(`/sys/class/net/${name}/flags`);
  const bits = raw === undefined ? Number.NaN : Number.parseInt(raw.trim(), 16);
  if (Number.isFinite(bits)) {
    // /sys shows the configured flags; IFF_RUNNING is computed by the kernel, and every interface
    // Node lists is running (libuv skips the others).
    const flags = new Set(LINUX_FLAGS.filter(([bit]) => (bits & bit) !== 0).map(([, f]) => f));
    flags.add('running');
    return flags;
  }
  // Elsewhere: Node lists only interfaces that are up and running.
  return new Set<InterfaceFlag>(internal ? ['up', 'loopback', 'running'] : ['up', 'broadcast', 'multicast', 'running']);
}

/** The interface named by the first default route of /proc/net/route, else of /proc/net/ipv6_route. */
export function defaultRouteInterface(ipv4Routes: string | undefined, ipv6Routes: string | undefined): string | undefined {
  for (const line of (ipv4Routes ?? '').split('\n').slice(1)) {
    const [iface, dest, , flags, , , , mask] = line.trim().split(/\s+/);
    // RTF_UP (0x1) set, destination and mask 0.0.0.0.
    if (iface && dest === '00000000' && mask === '00000000' && (Number.parseInt(flags ?? '0', 16) & 1) === 1) return iface;
  }
  for (const line of (ipv6Routes ?? '').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 10 && /^0{32}$/.test(cols[0] ?? '') && cols[1] === '00' && cols[9] !== 'lo') return cols[9];
  }
  return undefined;
}

/** Reads the host's interface table now. */
export function hostInterfaces(): InterfaceTable {
  const addresses: InterfaceAddress[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (!list) continue;
    const flags = flagsOf(
      name,
      list.some((a) => a.internal),
    );
    for (const a of list) {
      const prefix = a.cidr ? Number(a.cidr.slice(a.cidr.lastIndexOf('/') + 1)) : prefixOfMask(a.netmask);
      const ip = parseIpNet(`${a.address}/${prefix ?? (a.family === 'IPv4' ? 32 : 128)}`);
      if (ip) addresses.push({ name, flags, ip });
    }
  }
  return { addresses, defaultInterface: defaultRouteInterface(readText('/proc/net/route'), readText('/proc/net/ipv6_route')) };
}
