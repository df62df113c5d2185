/**
 * The address an agent bound to 0.0.0.0 (or ::) advertises when no `-advertise` is given, chosen
 * as Consul does (its ipaddr.GetPrivateIPv4 / GetPublicIPv6): the one private IPv4 address on the
 * interfaces that are up (loopback ones only when no other interface is up), or the one public
 * IPv6 address; none or several is an error asking for `-bind`/`-advertise`.
 */
import type { InterfaceTable } from './interface-table.js';
import { formatIp, inAny, networks } from './ip-address.js';

/** Consul's ipaddr privateBlocks. */
const PRIVATE_BLOCKS = networks([
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '::1/128',
  'fe80::/10',
  'fc00::/7',
  'fec0::/10',
  '2001:db8::/32',
]);

export class AdvertiseAddressError extends Error {
  readonly code = 'ADVERTISE_ADDRESS';
}

/** Private IPv4 addresses of the interfaces that are up; loopback ones only if no other is up. */
export function privateIPv4Addresses(table: InterfaceTable): string[] {
  const up = table.addresses.filter((a) => a.flags.has('up'));
  const others = up.filter((a) => !a.flags.has('loopback'));
  const active = others.length > 0 ? others : up;
  return active.filter((a) => a.ip.family === 4 && inAny(PRIVATE_BLOCKS, a.ip)).map((a) => formatIp(4, a.ip.value));
}

/** Public IPv6 addresses of every interface. */
export function publicIPv6Addresses(table: InterfaceTable): string[] {
  return table.addresses.filter((a) => a.ip.family === 6 && !inAny(PRIVATE_BLOCKS, a.ip)).map((a) => formatIp(6, a.ip.value));
}

export function isAnyAddress(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::' || addr === '[::]';
}

/** The address to advertise for a bind address of 0.0.0.0 or ::, with Consul's errors. */
export function detectAdvertiseAddress(bindAddr: string, table: InterfaceTable): string {
  const v4 = bindAddr === '0.0.0.0';
  const kind = v4 ? 'private IPv4' : 'public IPv6';
  const found = v4 ? privateIPv4Addresses(table) : publicIPv6Addresses(table);
  if (found.length === 0) throw new AdvertiseAddressError(`No ${kind} address found`);
  if (found.length > 1) {
    throw new AdvertiseAddressError(`Multiple ${kind} addresses found. Please configure one with 'bind' and/or 'advertise'.`);
  }
  return found[0] as string;
}
