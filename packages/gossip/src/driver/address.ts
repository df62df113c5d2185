import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Endpoint } from '../core/messages.js';
import { GossipConfigError } from '../errors.js';

/** Consul's LAN gossip port. */
export const DEFAULT_GOSSIP_PORT = 8301;

/**
 * Parse `ip`, `ip:port` or `[ipv6]:port`. Only IP literals: the driver never
 * resolves names.
 */
export function parseAddress(input: string, defaultPort = DEFAULT_GOSSIP_PORT): Endpoint {
  const s = input.trim();
  let host = s;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket !== null) {
    host = bracket[1] as string;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (s.split(':').length === 2) {
    const [h, p] = s.split(':') as [string, string];
    host = h;
    port = Number(p);
  }
  if (isIP(host) === 0) throw new GossipConfigError(`${input} is not an IP address (names are not resolved)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new GossipConfigError(`${input} has no valid port`);
  return { addr: host, port };
}

/** The address to advertise when bound to a wildcard: the first private-looking IPv4, else loopback. */
export function defaultAdvertiseAddr(bindAddr: string): string {
  if (bindAddr !== '0.0.0.0' && bindAddr !== '::') return bindAddr;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}
